using Microsoft.Extensions.Logging;
using Murmur.Logs;
using Murmur.Runtime;

namespace Murmur.Nats;

/// <summary>Where the NATS JetStream log lives and how it is stored.</summary>
/// <remarks>
/// Durability: an append is acknowledged once the stream's replicas hold it, but nats-server writes to disk
/// with its <c>sync_interval</c> (default: every 2 minutes). For acknowledged appends to survive power loss,
/// run the servers with <c>jetstream { sync_interval: always }</c> (nats-server 2.10 or later).
/// </remarks>
public sealed record NatsEventLogOptions
{
    /// <summary>The defaults: a local server, stream <c>MURMUR</c>, file storage, one replica.</summary>
    public static NatsEventLogOptions Default { get; } = new();

    /// <summary>Server URLs, comma-separated (e.g. <c>nats://10.0.0.1:4222,nats://10.0.0.2:4222</c>).</summary>
    /// <value>Defaults to <c>nats://127.0.0.1:4222</c>.</value>
    public string Url { get; init; } = "nats://127.0.0.1:4222";

    /// <summary>The JetStream stream that holds every topic.</summary>
    /// <value>Defaults to <c>MURMUR</c>.</value>
    public string StreamName { get; init; } = "MURMUR";

    /// <summary>The subject prefix; topic <c>T</c> is subject <c>{prefix}.T</c>.</summary>
    /// <value>Defaults to <c>murmur</c>.</value>
    public string SubjectPrefix { get; init; } = "murmur";

    /// <summary>How many servers hold each record (1, 3 or 5 in practice).</summary>
    /// <value>Defaults to 1.</value>
    public int Replicas { get; init; } = 1;

    /// <summary>File storage (durable) or memory storage.</summary>
    /// <value>Defaults to <see cref="NatsStorage.File"/>.</value>
    public NatsStorage Storage { get; init; } = NatsStorage.File;

    /// <summary>How long the server remembers event ids to drop duplicate appends (<c>Nats-Msg-Id</c>).</summary>
    /// <value>Defaults to 2 minutes.</value>
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The largest record accepted; the servers' <c>max_payload</c> must be larger by at least 1 KiB.</summary>
    /// <value>Defaults to <see cref="DefaultMaxRecordBytes"/> (1 MiB less 1 KiB).</value>
    public int MaxRecordBytes { get; init; } = DefaultMaxRecordBytes;

    /// <summary>
    /// The default largest record: 1 MiB less 1 KiB, so a stock nats-server (<c>max_payload</c> 1 MiB) takes the largest
    /// record with its headers (<c>Nats-Msg-Id</c> = <c>&lt;topic&gt;/&lt;event_id&gt;</c>, at most about 600 bytes).
    /// </summary>
    public const int DefaultMaxRecordBytes = LogGuard.DefaultMaxRecordBytes - 1024;

    /// <summary>How long one JetStream request (an append's acknowledgement) may take.</summary>
    /// <value>Defaults to 5 seconds.</value>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an append keeps retrying transient failures (same event id, so at most one copy is stored) before it fails.</summary>
    /// <value>Defaults to 30 seconds.</value>
    public TimeSpan AppendDeadline { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a read request (a topic's end, the next record of a topic) keeps retrying transient failures (no answer while a stream leader is elected) before it fails.</summary>
    /// <value>Defaults to 30 seconds.</value>
    public TimeSpan ReadDeadline { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Backoff, jitter, circuit breaker and clock of the log's retries (see <see cref="LogResilienceOptions"/>): appends
    /// retry for <see cref="AppendDeadline"/>, reads and queries for <see cref="ReadDeadline"/>, followers until cancelled.
    /// </summary>
    /// <value>Defaults to <see cref="LogResilienceOptions.Default"/>.</value>
    public LogResilienceOptions Resilience { get; init; } = LogResilienceOptions.Default;

    /// <summary>The client name shown by the servers.</summary>
    /// <value>Defaults to <c>murmur</c>.</value>
    public string ClientName { get; init; } = "murmur";

    /// <summary>
    /// Where the log and the NATS client write their diagnostics (append retries, replaced consumers, reconnects).
    /// <c>UseNats</c> fills it with the node's <see cref="AgentRuntimeOptions.LoggerFactory"/> when it is not set.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: no logging.</value>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>User name for user/password authentication.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? Username { get; init; }

    /// <summary>Password for user/password authentication.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? Password { get; init; }

    /// <summary>Token for token authentication.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? Token { get; init; }

    /// <summary>Path of an nkey seed file (nkeys authentication).</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? NKeyFile { get; init; }

    /// <summary>Path of a credentials file (JWT + nkey).</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? CredsFile { get; init; }

    /// <summary>Require TLS to the servers.</summary>
    /// <value>Defaults to <see langword="false"/>.</value>
    public bool RequireTls { get; init; }

    /// <summary>Path of a CA certificate file (PEM) to trust for the servers' certificates.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? CaFile { get; init; }

    /// <summary>Path of this client's certificate (PEM), for servers that verify clients (<c>tls { verify: true }</c>); set with <see cref="KeyFile"/>.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? CertFile { get; init; }

    /// <summary>Path of the private key (PEM) of <see cref="CertFile"/>.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? KeyFile { get; init; }

    /// <summary>
    /// <see cref="Url"/> with any <c>user:password@</c> or <c>token@</c> part replaced by <c>***@</c>: the form to
    /// print in messages and logs.
    /// </summary>
    public string RedactedUrl => string.Join(',', Url.Split(',').Select(RedactOne));

    private static string RedactOne(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var at = url.LastIndexOf('@');
        return scheme >= 0 && at > scheme ? string.Concat(url.AsSpan(0, scheme + 3), "***", url.AsSpan(at)) : url;
    }

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Url))
        {
            throw new ArgumentException("NATS Url must not be empty.", nameof(Url));
        }
        if (string.IsNullOrWhiteSpace(StreamName) || StreamName.AsSpan().IndexOfAny(". *>") >= 0)
        {
            throw new ArgumentException($"NATS StreamName '{StreamName}' must be non-empty without '.', ' ', '*' or '>'.", nameof(StreamName));
        }
        if (TopicName.Check(SubjectPrefix) is { } reason)
        {
            throw new ArgumentException($"NATS SubjectPrefix '{SubjectPrefix}' is invalid: {reason}.", nameof(SubjectPrefix));
        }
        if (Replicas is < 1 or > 5)
        {
            throw new ArgumentOutOfRangeException(nameof(Replicas), Replicas, "NATS Replicas must be between 1 and 5.");
        }
        if (MaxRecordBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRecordBytes), MaxRecordBytes, "MaxRecordBytes must be positive.");
        }
        if (RequestTimeout <= TimeSpan.Zero || DuplicateWindow <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), "RequestTimeout and DuplicateWindow must be positive.");
        }
        if (AppendDeadline < TimeSpan.Zero || ReadDeadline < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ReadDeadline), "AppendDeadline and ReadDeadline must not be negative.");
        }
        if ((CertFile is null) != (KeyFile is null))
        {
            throw new ArgumentException("NATS CertFile and KeyFile must be set together.", CertFile is null ? nameof(CertFile) : nameof(KeyFile));
        }
        if (Resilience is null)
        {
            throw new ArgumentNullException(nameof(Resilience), "NATS Resilience must not be null.");
        }
        Resilience.Validate();
    }
}
