using Microsoft.Extensions.Logging;
using Murmur.Kafka;
using Murmur.Logs;
using Murmur.Nats;
using Murmur.Security;

namespace Murmur.Configuration;

/// <summary>
/// Resolved node settings (<see cref="MurmurNodeSettings.Resolve"/>): the node id, the loaded signing keys and the
/// log's transport options, ready to start a node, plus what the node leaves open (<see cref="Warnings"/>).
/// </summary>
/// <remarks>Immutable and thread-safe. <see cref="ToString"/> and <see cref="Describe"/> never show a secret.</remarks>
public sealed class NodeSetup
{
    internal NodeSetup(string? nodeId, EventSigning? signing, NatsEventLogOptions? nats, KafkaEventLogOptions? kafka, IReadOnlyList<SecurityWarning> warnings)
    {
        NodeId = nodeId;
        Signing = signing;
        Nats = nats;
        Kafka = kafka;
        Warnings = warnings;
    }

    /// <summary>The node id: as configured, else the node of the signing key; null leaves the host's default.</summary>
    public string? NodeId { get; }

    /// <summary>The loaded keys, or null when events are not signed.</summary>
    public EventSigning? Signing { get; }

    /// <summary>The NATS log's options when the log is NATS.</summary>
    public NatsEventLogOptions? Nats { get; }

    /// <summary>The Kafka log's options when the log is Kafka.</summary>
    public KafkaEventLogOptions? Kafka { get; }

    /// <summary>True when a shared log is configured.</summary>
    public bool HasLog => Nats is not null || Kafka is not null;

    /// <summary>The log's address with credentials hidden, or null without a log.</summary>
    public string? LogAddress => Nats is not null ? Nats.RedactedUrl : Kafka is not null ? "kafka://" + Kafka.BootstrapServers : null;

    /// <summary>What this node leaves open; log or print them once when it starts.</summary>
    /// <remarks>Transport warnings are listed only when a shared log is configured.</remarks>
    public IReadOnlyList<SecurityWarning> Warnings { get; }

    /// <summary>Connects to the configured log.</summary>
    /// <exception cref="InvalidOperationException">No log is configured (<see cref="HasLog"/> is false).</exception>
    /// <exception cref="EventLogException">The log cannot be reached or refused the credentials.</exception>
    public async Task<IEventLog> ConnectAsync(ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        if (Nats is not null)
        {
            return await NatsEventLog.ConnectAsync(Nats with { LoggerFactory = Nats.LoggerFactory ?? loggerFactory }, cancellationToken).ConfigureAwait(false);
        }
        if (Kafka is not null)
        {
            return await KafkaEventLog.ConnectAsync(Kafka, cancellationToken).ConfigureAwait(false);
        }
        throw new InvalidOperationException($"No log is configured: set {SettingKeys.LogUrl}.");
    }

    /// <summary>Applies the node id, the signing keys and (when configured) the log to a node builder.</summary>
    public MurmurNodeBuilder ApplyTo(MurmurNodeBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configure(o => o with { NodeId = NodeId ?? o.NodeId, Signing = Signing ?? o.Signing });
        if (Nats is not null)
        {
            builder.UseNats(Nats);
        }
        else if (Kafka is not null)
        {
            builder.UseKafka(Kafka);
        }
        return builder;
    }

    /// <summary>One line for a person: the log and its protections, and the signing keys. No secret is shown.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        parts.Add(Nats is not null ? $"log {Nats.RedactedUrl} (stream {Nats.StreamName}, {Nats.Replicas} replica(s); {NatsProtection(Nats)})"
            : Kafka is not null ? $"log kafka://{Kafka.BootstrapServers} (topic {Kafka.KafkaTopic}, replication {Kafka.ReplicationFactor}; {KafkaProtection(Kafka)})"
            : "no shared log configured");
        parts.Add(Signing is null ? "events not signed"
            : $"events signed with {(Signing.Algorithm == SigningAlgorithm.EcdsaP256Sha256 ? "ECDSA P-256" : "HMAC-SHA256")} key '{Signing.KeyId}', "
              + $"{Signing.TrustedKeys.Count} other key(s) trusted, unsigned events {(Signing.RequireSignatures ? "refused" : "accepted")}");
        return string.Join("; ", parts);
    }

    /// <inheritdoc/>
    public override string ToString() => Describe();

    private static string NatsProtection(NatsEventLogOptions nats)
    {
        var auth = nats.CredsFile is not null ? "credentials file" : nats.NKeyFile is not null ? "nkey" : nats.Token is not null ? "token"
            : nats.Username is not null ? $"user {nats.Username}" : nats.CertFile is not null ? "client certificate" : "no authentication";
        var tls = nats.RequireTls ? (nats.CertFile is not null ? "TLS with client certificate" : "TLS") : "no TLS";
        return $"{auth}, {tls}";
    }

    private static string KafkaProtection(KafkaEventLogOptions kafka)
    {
        var auth = kafka.SaslMechanism is { } m ? $"SASL {m} as {kafka.SaslUsername}" : kafka.SslCertificateLocation is not null ? "client certificate" : "no authentication";
        var tls = kafka.SecurityProtocol is Confluent.Kafka.SecurityProtocol.Ssl or Confluent.Kafka.SecurityProtocol.SaslSsl ? "TLS" : "no TLS";
        return $"{auth}, {tls}";
    }
}
