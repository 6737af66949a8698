namespace Murmur.Configuration;

/// <summary>The configuration keys of <see cref="MurmurNodeSettings"/>, as errors and warnings name them.</summary>
public static class SettingKeys
{
    /// <summary><c>Murmur:NodeId</c>.</summary>
    public const string NodeId = "Murmur:NodeId";

    /// <summary><c>Murmur:Log:Url</c>.</summary>
    public const string LogUrl = "Murmur:Log:Url";

    /// <summary><c>Murmur:Log:MaxRecordBytes</c>.</summary>
    public const string MaxRecordBytes = "Murmur:Log:MaxRecordBytes";

    /// <summary><c>Murmur:Log:Nats:Stream</c>.</summary>
    public const string NatsStream = "Murmur:Log:Nats:Stream";

    /// <summary><c>Murmur:Log:Nats:SubjectPrefix</c>.</summary>
    public const string NatsSubjectPrefix = "Murmur:Log:Nats:SubjectPrefix";

    /// <summary><c>Murmur:Log:Nats:Replicas</c>.</summary>
    public const string NatsReplicas = "Murmur:Log:Nats:Replicas";

    /// <summary><c>Murmur:Log:Nats:User</c>.</summary>
    public const string NatsUser = "Murmur:Log:Nats:User";

    /// <summary><c>Murmur:Log:Nats:Password</c>.</summary>
    public const string NatsPassword = "Murmur:Log:Nats:Password";

    /// <summary><c>Murmur:Log:Nats:Token</c>.</summary>
    public const string NatsToken = "Murmur:Log:Nats:Token";

    /// <summary><c>Murmur:Log:Nats:NKeyFile</c>.</summary>
    public const string NatsNKeyFile = "Murmur:Log:Nats:NKeyFile";

    /// <summary><c>Murmur:Log:Nats:CredsFile</c>.</summary>
    public const string NatsCredsFile = "Murmur:Log:Nats:CredsFile";

    /// <summary><c>Murmur:Log:Kafka:Topic</c>.</summary>
    public const string KafkaTopic = "Murmur:Log:Kafka:Topic";

    /// <summary><c>Murmur:Log:Kafka:Partitions</c>.</summary>
    public const string KafkaPartitions = "Murmur:Log:Kafka:Partitions";

    /// <summary><c>Murmur:Log:Kafka:ReplicationFactor</c>.</summary>
    public const string KafkaReplicationFactor = "Murmur:Log:Kafka:ReplicationFactor";

    /// <summary><c>Murmur:Log:Kafka:MinInSyncReplicas</c>.</summary>
    public const string KafkaMinInSyncReplicas = "Murmur:Log:Kafka:MinInSyncReplicas";

    /// <summary><c>Murmur:Log:Kafka:SecurityProtocol</c>.</summary>
    public const string KafkaSecurityProtocol = "Murmur:Log:Kafka:SecurityProtocol";

    /// <summary><c>Murmur:Log:Kafka:SaslMechanism</c>.</summary>
    public const string KafkaSaslMechanism = "Murmur:Log:Kafka:SaslMechanism";

    /// <summary><c>Murmur:Log:Kafka:SaslUsername</c>.</summary>
    public const string KafkaSaslUsername = "Murmur:Log:Kafka:SaslUsername";

    /// <summary><c>Murmur:Log:Kafka:SaslPassword</c>.</summary>
    public const string KafkaSaslPassword = "Murmur:Log:Kafka:SaslPassword";

    /// <summary><c>Murmur:Log:Tls:Enabled</c>.</summary>
    public const string TlsEnabled = "Murmur:Log:Tls:Enabled";

    /// <summary><c>Murmur:Log:Tls:CaFile</c>.</summary>
    public const string TlsCaFile = "Murmur:Log:Tls:CaFile";

    /// <summary><c>Murmur:Log:Tls:CertFile</c>.</summary>
    public const string TlsCertFile = "Murmur:Log:Tls:CertFile";

    /// <summary><c>Murmur:Log:Tls:KeyFile</c>.</summary>
    public const string TlsKeyFile = "Murmur:Log:Tls:KeyFile";

    /// <summary><c>Murmur:Signing:Algorithm</c>.</summary>
    public const string SigningAlgorithm = "Murmur:Signing:Algorithm";

    /// <summary><c>Murmur:Signing:KeyFile</c>.</summary>
    public const string SigningKeyFile = "Murmur:Signing:KeyFile";

    /// <summary><c>Murmur:Signing:KeyId</c>.</summary>
    public const string SigningKeyId = "Murmur:Signing:KeyId";

    /// <summary><c>Murmur:Signing:TrustedKeys</c>.</summary>
    public const string SigningTrustedKeys = "Murmur:Signing:TrustedKeys";

    /// <summary><c>Murmur:Signing:RequireSignatures</c>.</summary>
    public const string SigningRequireSignatures = "Murmur:Signing:RequireSignatures";

    /// <summary>The environment variable that sets <paramref name="key"/> (.NET's convention: <c>:</c> becomes <c>__</c>).</summary>
    public static string EnvironmentVariable(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant();
    }
}
