namespace Murmur.Configuration;

/// <summary>The Kafka log (<c>Murmur:Log:Kafka</c>): its topic, replication and SASL authentication.</summary>
public sealed class KafkaSettings
{
    /// <summary>The Kafka topic that holds every Murmur topic (<c>Murmur:Log:Kafka:Topic</c>).</summary>
    /// <value>Defaults to <see langword="null"/>: <c>murmur-events</c>.</value>
    public string? Topic { get; set; }

    /// <summary>Partitions when the topic is created (<c>Murmur:Log:Kafka:Partitions</c>).</summary>
    /// <value>Defaults to <see langword="null"/>: 1.</value>
    public int? Partitions { get; set; }

    /// <summary>Replication factor when the topic is created (<c>Murmur:Log:Kafka:ReplicationFactor</c>).</summary>
    /// <value>Defaults to <see langword="null"/>: 1.</value>
    public short? ReplicationFactor { get; set; }

    /// <summary>The created topic's <c>min.insync.replicas</c> (<c>Murmur:Log:Kafka:MinInSyncReplicas</c>).</summary>
    /// <value>Defaults to <see langword="null"/>: the broker's default.</value>
    public int? MinInSyncReplicas { get; set; }

    /// <summary>
    /// <c>security.protocol</c> (<c>Murmur:Log:Kafka:SecurityProtocol</c>): <c>Plaintext</c>, <c>Ssl</c>,
    /// <c>SaslPlaintext</c> or <c>SaslSsl</c> (or Kafka's spelling, <c>SASL_SSL</c>).
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: derived — SASL when a mechanism is set, TLS when <c>Murmur:Log:Tls</c> is on.</value>
    public string? SecurityProtocol { get; set; }

    /// <summary>The SASL mechanism (<c>Murmur:Log:Kafka:SaslMechanism</c>, <c>--kafka-sasl-mechanism</c>): <c>PLAIN</c>, <c>SCRAM-SHA-256</c> or <c>SCRAM-SHA-512</c>.</summary>
    /// <value>Defaults to <see langword="null"/>: no SASL.</value>
    public string? SaslMechanism { get; set; }

    /// <summary>SASL user name (<c>Murmur:Log:Kafka:SaslUsername</c>, <c>--kafka-sasl-user</c>).</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? SaslUsername { get; set; }

    /// <summary>SASL password (<c>MURMUR__LOG__KAFKA__SASLPASSWORD</c>); a secret: never printed.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? SaslPassword { get; set; }
}
