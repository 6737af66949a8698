using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Murmur.Logs;
using Murmur.Runtime;

namespace Murmur.Kafka;

/// <summary>Where the Kafka log lives, how its topic is created, and how to authenticate.</summary>
/// <remarks>
/// Every Murmur topic lives in one Kafka topic (<see cref="KafkaTopic"/>), keyed by the Murmur topic's name and
/// produced to a partition that Murmur computes itself (see <see cref="KafkaPartitioning"/>). Never add partitions
/// to that Kafka topic after it holds records: the partition of a Murmur topic would change and readers would no
/// longer find its earlier records.
/// Durability: the producer is idempotent and waits for <c>acks=all</c>; an append survives the loss of a broker only
/// when the topic's <c>min.insync.replicas</c> is at least 2 (see <see cref="MinInSyncReplicas"/>).
/// </remarks>
public sealed record KafkaEventLogOptions
{
    /// <summary>The defaults: a local broker, topic <c>murmur-events</c>, one partition, one replica.</summary>
    public static KafkaEventLogOptions Default { get; } = new();

    /// <summary>Bootstrap brokers, comma-separated <c>host:port</c> (e.g. <c>10.0.0.1:9092,10.0.0.2:9092</c>).</summary>
    /// <value>Defaults to <c>127.0.0.1:9092</c>.</value>
    public string BootstrapServers { get; init; } = "127.0.0.1:9092";

    /// <summary>The one Kafka topic that holds every Murmur topic.</summary>
    /// <value>Defaults to <c>murmur-events</c>.</value>
    public string KafkaTopic { get; init; } = "murmur-events";

    /// <summary>
    /// The compacted Kafka topic where the nodes of a fleet announce themselves and beat (one partition, keyed by node
    /// id); <see langword="null"/> uses <see cref="KafkaTopic"/> followed by <c>-members</c>.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: <c>murmur-events-members</c> for the default <see cref="KafkaTopic"/>.</value>
    public string? MembershipTopic { get; init; }

    /// <summary>The membership topic in effect: <see cref="MembershipTopic"/> or <see cref="KafkaTopic"/><c>-members</c>.</summary>
    public string EffectiveMembershipTopic => MembershipTopic ?? KafkaTopic + "-members";

    /// <summary>The partition count used when <see cref="KafkaTopic"/> does not exist and is created; an existing topic keeps its own.</summary>
    /// <value>Defaults to 1.</value>
    public int Partitions { get; init; } = 1;

    /// <summary>The replication factor used when <see cref="KafkaTopic"/> is created (3 for a production cluster).</summary>
    /// <value>Defaults to 1.</value>
    public short ReplicationFactor { get; init; } = 1;

    /// <summary>
    /// The topic's <c>min.insync.replicas</c> when it is created; with <c>acks=all</c> an append is acknowledged only
    /// once this many replicas hold it. <see langword="null"/> keeps the broker's default.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public int? MinInSyncReplicas { get; init; }

    /// <summary>The largest record accepted. The producer's <c>message.max.bytes</c> and a created topic's <c>max.message.bytes</c> are set 64 KiB above it.</summary>
    /// <value>Defaults to 1 MiB.</value>
    public int MaxRecordBytes { get; init; } = LogGuard.DefaultMaxRecordBytes;

    /// <summary>How long one request may take: an append's delivery (including the producer's retries), a metadata or watermark query.</summary>
    /// <value>Defaults to 10 seconds.</value>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a read request (a partition's end, the next records of a topic) keeps retrying transient failures — a
    /// partition whose leader moved, a broker restarting — before it fails. A follower (<c>follow: true</c>) and the
    /// firehose retry until they are cancelled.
    /// </summary>
    /// <value>Defaults to 30 seconds.</value>
    public TimeSpan ReadDeadline { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Backoff, jitter, circuit breaker and clock of the log's retries (see <see cref="LogResilienceOptions"/>). Appends
    /// are retried by librdkafka's idempotent producer within <see cref="RequestTimeout"/> (without duplicates); the log
    /// itself retries reads, end-of-partition queries and waiting for a new topic's partitions.
    /// </summary>
    /// <value>Defaults to <see cref="LogResilienceOptions.Default"/>.</value>
    public LogResilienceOptions Resilience { get; init; } = LogResilienceOptions.Default;

    /// <summary>
    /// Where the log writes its diagnostics and librdkafka's own log lines (retries, reconnects; a broker that cannot be
    /// reached is logged at Information, since the failing call itself throws). <c>UseKafka</c> fills it with the node's
    /// <see cref="AgentRuntimeOptions.LoggerFactory"/> when it is not set.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: no logging (librdkafka writes nothing to stderr either).</value>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>How many recent event ids an appender remembers to return a duplicate's original position without producing it again.</summary>
    /// <value>Defaults to 100,000.</value>
    public int RecentEventIds { get; init; } = 100_000;

    /// <summary>The client id shown by the brokers.</summary>
    /// <value>Defaults to <c>murmur</c>.</value>
    public string ClientId { get; init; } = "murmur";

    /// <summary>The security protocol (<c>security.protocol</c>); <see langword="null"/> keeps librdkafka's default (plaintext).</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public SecurityProtocol? SecurityProtocol { get; init; }

    /// <summary>The SASL mechanism (<c>sasl.mechanism</c>), e.g. <see cref="Confluent.Kafka.SaslMechanism.ScramSha512"/>.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public SaslMechanism? SaslMechanism { get; init; }

    /// <summary>SASL user name (<c>sasl.username</c>) for PLAIN and SCRAM.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? SaslUsername { get; init; }

    /// <summary>SASL password (<c>sasl.password</c>) for PLAIN and SCRAM.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? SaslPassword { get; init; }

    /// <summary>Path of a CA certificate file (PEM) to trust for the brokers' certificates (<c>ssl.ca.location</c>).</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? SslCaLocation { get; init; }

    /// <summary>Path of this client's certificate (PEM) for brokers that authenticate clients by TLS (<c>ssl.certificate.location</c>); set with <see cref="SslKeyLocation"/>.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? SslCertificateLocation { get; init; }

    /// <summary>Path of the private key (PEM) of <see cref="SslCertificateLocation"/> (<c>ssl.key.location</c>).</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? SslKeyLocation { get; init; }

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers))
        {
            throw new ArgumentException("Kafka BootstrapServers must not be empty.", nameof(BootstrapServers));
        }
        if (string.IsNullOrEmpty(KafkaTopic) || KafkaTopic.Length > 249 || KafkaTopic is "." or ".."
            || !KafkaTopic.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw new ArgumentException(
                $"Kafka KafkaTopic '{KafkaTopic}' must be 1 to 249 characters of A-Z a-z 0-9 . _ - (and not '.' or '..').", nameof(KafkaTopic));
        }
        var members = EffectiveMembershipTopic;
        if (members.Length > 249 || members is "." or ".." || !members.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')
            || string.Equals(members, KafkaTopic, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"Kafka MembershipTopic '{members}' must be 1 to 249 characters of A-Z a-z 0-9 . _ - and differ from KafkaTopic.", nameof(MembershipTopic));
        }
        if (Partitions is < 1 or > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Partitions), Partitions, "Kafka Partitions must be between 1 and 100000.");
        }
        if (ReplicationFactor < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ReplicationFactor), ReplicationFactor, "Kafka ReplicationFactor must be 1 or more.");
        }
        if (MinInSyncReplicas is { } isr && (isr < 1 || isr > ReplicationFactor))
        {
            throw new ArgumentOutOfRangeException(nameof(MinInSyncReplicas), isr, $"Kafka MinInSyncReplicas must be between 1 and ReplicationFactor ({ReplicationFactor}).");
        }
        if (MaxRecordBytes is < 1 or > KafkaConfigFactory.MaxMessageBytesLimit - KafkaConfigFactory.MessageOverheadBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRecordBytes), MaxRecordBytes,
                $"MaxRecordBytes must be between 1 and {KafkaConfigFactory.MaxMessageBytesLimit - KafkaConfigFactory.MessageOverheadBytes}.");
        }
        if (RequestTimeout < TimeSpan.FromMilliseconds(100) || RequestTimeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "Kafka RequestTimeout must be between 100 ms and 1 day.");
        }
        if (ReadDeadline < TimeSpan.Zero || ReadDeadline > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(ReadDeadline), ReadDeadline, "Kafka ReadDeadline must be between 0 and 1 day.");
        }
        if (Resilience is null)
        {
            throw new ArgumentNullException(nameof(Resilience), "Kafka Resilience must not be null.");
        }
        Resilience.Validate();
        if (RecentEventIds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RecentEventIds), RecentEventIds, "Kafka RecentEventIds must be 0 or more.");
        }
        if (string.IsNullOrWhiteSpace(ClientId))
        {
            throw new ArgumentException("Kafka ClientId must not be empty.", nameof(ClientId));
        }
        if ((SaslUsername is null) != (SaslPassword is null))
        {
            throw new ArgumentException("Kafka SaslUsername and SaslPassword must be set together.", SaslUsername is null ? nameof(SaslUsername) : nameof(SaslPassword));
        }
        var usesSasl = SecurityProtocol is Confluent.Kafka.SecurityProtocol.SaslPlaintext or Confluent.Kafka.SecurityProtocol.SaslSsl;
        if ((SaslMechanism is not null || SaslUsername is not null) && !usesSasl)
        {
            throw new ArgumentException(
                $"Kafka SaslMechanism/SaslUsername need SecurityProtocol SaslPlaintext or SaslSsl (got {SecurityProtocol?.ToString() ?? "none"}).", nameof(SecurityProtocol));
        }
        if (usesSasl && SaslMechanism is null)
        {
            throw new ArgumentException($"Kafka SecurityProtocol {SecurityProtocol} needs a SaslMechanism.", nameof(SaslMechanism));
        }
        if (SaslMechanism is Confluent.Kafka.SaslMechanism.Plain or Confluent.Kafka.SaslMechanism.ScramSha256 or Confluent.Kafka.SaslMechanism.ScramSha512
            && SaslUsername is null)
        {
            throw new ArgumentException($"Kafka SaslMechanism {SaslMechanism} needs SaslUsername and SaslPassword.", nameof(SaslUsername));
        }
        if (SslCaLocation is not null && SecurityProtocol is not (Confluent.Kafka.SecurityProtocol.Ssl or Confluent.Kafka.SecurityProtocol.SaslSsl))
        {
            throw new ArgumentException(
                $"Kafka SslCaLocation needs SecurityProtocol Ssl or SaslSsl (got {SecurityProtocol?.ToString() ?? "none"}).", nameof(SslCaLocation));
        }
        if ((SslCertificateLocation is null) != (SslKeyLocation is null))
        {
            throw new ArgumentException("Kafka SslCertificateLocation and SslKeyLocation must be set together.",
                SslCertificateLocation is null ? nameof(SslCertificateLocation) : nameof(SslKeyLocation));
        }
        if (SslCertificateLocation is not null && SecurityProtocol is not (Confluent.Kafka.SecurityProtocol.Ssl or Confluent.Kafka.SecurityProtocol.SaslSsl))
        {
            throw new ArgumentException(
                $"Kafka SslCertificateLocation needs SecurityProtocol Ssl or SaslSsl (got {SecurityProtocol?.ToString() ?? "none"}).", nameof(SslCertificateLocation));
        }
    }
}
