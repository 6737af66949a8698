namespace Murmur.Configuration;

/// <summary>The shared log (<c>Murmur:Log</c>): its address, and the settings of its transport.</summary>
public sealed class LogSettings
{
    /// <summary>
    /// The log's address (<c>Murmur:Log:Url</c>, <c>--log</c>): <c>nats://HOST:PORT[,nats://HOST:PORT…]</c>
    /// (<c>tls://</c> requires TLS) or <c>kafka://HOST:PORT[,HOST:PORT…]</c>.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: no shared log configured.</value>
    public string? Url { get; set; }

    /// <summary>The largest record accepted (<c>Murmur:Log:MaxRecordBytes</c>).</summary>
    /// <value>Defaults to <see langword="null"/>: the transport's default (1 MiB).</value>
    public int? MaxRecordBytes { get; set; }

    /// <summary>NATS JetStream settings (<c>Murmur:Log:Nats</c>).</summary>
    public NatsSettings Nats { get; set; } = new();

    /// <summary>Kafka settings (<c>Murmur:Log:Kafka</c>).</summary>
    public KafkaSettings Kafka { get; set; } = new();

    /// <summary>TLS to the servers, for either transport (<c>Murmur:Log:Tls</c>).</summary>
    public TlsSettings Tls { get; set; } = new();
}
