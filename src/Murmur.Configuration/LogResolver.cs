using Confluent.Kafka;
using Murmur.Kafka;
using Murmur.Logs;
using Murmur.Nats;

namespace Murmur.Configuration;

/// <summary>Maps <see cref="LogSettings"/> onto the options of its transport, checking each value against the key that set it.</summary>
internal static class LogResolver
{
    public const string Forms = "nats://HOST:PORT[,nats://HOST:PORT…] (tls:// to require TLS) or kafka://HOST:PORT[,HOST:PORT…]";

    public static (NatsEventLogOptions? Nats, KafkaEventLogOptions? Kafka) Resolve(LogSettings log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (log.MaxRecordBytes is < 1)
        {
            throw new MurmurSettingsException(SettingKeys.MaxRecordBytes, $"{SettingKeys.MaxRecordBytes} must be positive (got {log.MaxRecordBytes}).");
        }
        if (string.IsNullOrWhiteSpace(log.Url))
        {
            RefuseOrphans(log, nats: true, kafka: true);
            return (null, null);
        }
        var urls = log.Url.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length > 0 && urls.All(u => u.StartsWith("nats://", StringComparison.OrdinalIgnoreCase) || u.StartsWith("tls://", StringComparison.OrdinalIgnoreCase)))
        {
            RefuseOrphans(log, nats: false, kafka: true);
            return (Nats(log, string.Join(',', urls)), null);
        }
        if (urls.Length > 0 && urls[0].StartsWith("kafka://", StringComparison.OrdinalIgnoreCase) && urls.Skip(1).All(u => !u.Contains("://", StringComparison.Ordinal) || u.StartsWith("kafka://", StringComparison.OrdinalIgnoreCase)))
        {
            RefuseOrphans(log, nats: true, kafka: false);
            var servers = string.Join(',', urls.Select(u => u.StartsWith("kafka://", StringComparison.OrdinalIgnoreCase) ? u["kafka://".Length..] : u));
            return (null, Kafka(log, servers));
        }
        var shown = new NatsEventLogOptions { Url = log.Url }.RedactedUrl;
        throw new MurmurSettingsException(SettingKeys.LogUrl, $"{SettingKeys.LogUrl} '{shown}' is not a log address; use {Forms}.");
    }

    private static NatsEventLogOptions Nats(LogSettings log, string url)
    {
        var nats = log.Nats;
        if (nats.Replicas is < 1 or > 5)
        {
            throw new MurmurSettingsException(SettingKeys.NatsReplicas, $"{SettingKeys.NatsReplicas} must be between 1 and 5 (got {nats.Replicas}).");
        }
        if (nats.Stream is { } stream && (string.IsNullOrWhiteSpace(stream) || stream.AsSpan().IndexOfAny(". *>") >= 0))
        {
            throw new MurmurSettingsException(SettingKeys.NatsStream, $"{SettingKeys.NatsStream} '{stream}' must be non-empty without '.', ' ', '*' or '>'.");
        }
        if (nats.SubjectPrefix is { } prefix && TopicName.Check(prefix) is { } reason)
        {
            throw new MurmurSettingsException(SettingKeys.NatsSubjectPrefix, $"{SettingKeys.NatsSubjectPrefix} '{prefix}' is invalid: {reason}.");
        }
        if (string.IsNullOrEmpty(nats.User) != string.IsNullOrEmpty(nats.Password))
        {
            var missing = string.IsNullOrEmpty(nats.User) ? SettingKeys.NatsUser : SettingKeys.NatsPassword;
            throw new MurmurSettingsException(missing,
                $"{SettingKeys.NatsUser} and {SettingKeys.NatsPassword} go together; {missing} is missing (set the password with {SettingKeys.EnvironmentVariable(SettingKeys.NatsPassword)}).");
        }
        var tls = Tls(log.Tls, impliedByUrl: url.Contains("tls://", StringComparison.OrdinalIgnoreCase));
        var defaults = NatsEventLogOptions.Default;
        return defaults with
        {
            Url = url,
            StreamName = nats.Stream ?? defaults.StreamName,
            SubjectPrefix = nats.SubjectPrefix ?? defaults.SubjectPrefix,
            Replicas = nats.Replicas ?? defaults.Replicas,
            MaxRecordBytes = log.MaxRecordBytes ?? defaults.MaxRecordBytes,
            Username = Blank(nats.User),
            Password = Blank(nats.Password),
            Token = Blank(nats.Token),
            NKeyFile = SettingFiles.Existing(SettingKeys.NatsNKeyFile, nats.NKeyFile),
            CredsFile = SettingFiles.Existing(SettingKeys.NatsCredsFile, nats.CredsFile),
            RequireTls = tls.Enabled,
            CaFile = tls.Ca,
            CertFile = tls.Cert,
            KeyFile = tls.Key,
        };
    }

    private static KafkaEventLogOptions Kafka(LogSettings log, string servers)
    {
        var kafka = log.Kafka;
        if (kafka.Partitions is < 1 or > 100_000)
        {
            throw new MurmurSettingsException(SettingKeys.KafkaPartitions, $"{SettingKeys.KafkaPartitions} must be between 1 and 100000 (got {kafka.Partitions}).");
        }
        if (kafka.ReplicationFactor is < 1)
        {
            throw new MurmurSettingsException(SettingKeys.KafkaReplicationFactor, $"{SettingKeys.KafkaReplicationFactor} must be 1 or more (got {kafka.ReplicationFactor}).");
        }
        var replication = kafka.ReplicationFactor ?? KafkaEventLogOptions.Default.ReplicationFactor;
        if (kafka.MinInSyncReplicas is { } isr && (isr < 1 || isr > replication))
        {
            throw new MurmurSettingsException(SettingKeys.KafkaMinInSyncReplicas, $"{SettingKeys.KafkaMinInSyncReplicas} must be between 1 and the replication factor ({replication}); got {isr}.");
        }
        var mechanism = Mechanism(kafka.SaslMechanism);
        if (mechanism is null && (kafka.SaslUsername is not null || kafka.SaslPassword is not null))
        {
            throw new MurmurSettingsException(SettingKeys.KafkaSaslMechanism, $"A SASL user or password is set but {SettingKeys.KafkaSaslMechanism} is not (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512).");
        }
        if (mechanism is not null && (string.IsNullOrEmpty(kafka.SaslUsername) || string.IsNullOrEmpty(kafka.SaslPassword)))
        {
            var missing = string.IsNullOrEmpty(kafka.SaslUsername) ? SettingKeys.KafkaSaslUsername : SettingKeys.KafkaSaslPassword;
            throw new MurmurSettingsException(missing,
                $"SASL {kafka.SaslMechanism} needs {SettingKeys.KafkaSaslUsername} and {SettingKeys.KafkaSaslPassword}; {missing} is missing (set the password with {SettingKeys.EnvironmentVariable(SettingKeys.KafkaSaslPassword)}).");
        }
        var tls = Tls(log.Tls, impliedByUrl: false);
        var useTls = tls.Enabled;
        var protocol = Protocol(kafka.SecurityProtocol) ?? (mechanism, useTls) switch
        {
            (not null, true) => SecurityProtocol.SaslSsl,
            (not null, false) => SecurityProtocol.SaslPlaintext,
            (null, true) => SecurityProtocol.Ssl,
            _ => (SecurityProtocol?)null,
        };
        if (mechanism is not null && protocol is not (SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl))
        {
            throw new MurmurSettingsException(SettingKeys.KafkaSecurityProtocol, $"{SettingKeys.KafkaSecurityProtocol} {protocol} does not use SASL, but {SettingKeys.KafkaSaslMechanism} is set; use SaslSsl.");
        }
        if (useTls && protocol is not (SecurityProtocol.Ssl or SecurityProtocol.SaslSsl))
        {
            throw new MurmurSettingsException(SettingKeys.KafkaSecurityProtocol, $"{SettingKeys.KafkaSecurityProtocol} {protocol} does not use TLS, but {SettingKeys.TlsEnabled} is on; use Ssl or SaslSsl.");
        }
        var defaults = KafkaEventLogOptions.Default;
        return defaults with
        {
            BootstrapServers = servers,
            KafkaTopic = kafka.Topic ?? defaults.KafkaTopic,
            Partitions = kafka.Partitions ?? defaults.Partitions,
            ReplicationFactor = replication,
            MinInSyncReplicas = kafka.MinInSyncReplicas,
            MaxRecordBytes = log.MaxRecordBytes ?? defaults.MaxRecordBytes,
            SecurityProtocol = protocol,
            SaslMechanism = mechanism,
            SaslUsername = Blank(kafka.SaslUsername),
            SaslPassword = Blank(kafka.SaslPassword),
            SslCaLocation = tls.Ca,
            SslCertificateLocation = tls.Cert,
            SslKeyLocation = tls.Key,
        };
    }

    /// <summary>The TLS files, checked, and whether TLS is on: as set, else when a CA or client certificate is given (or the URL asks for it).</summary>
    private static (bool Enabled, string? Ca, string? Cert, string? Key) Tls(TlsSettings tls, bool impliedByUrl)
    {
        var ca = SettingFiles.Existing(SettingKeys.TlsCaFile, tls.CaFile);
        var cert = SettingFiles.Existing(SettingKeys.TlsCertFile, tls.CertFile);
        var key = SettingFiles.Existing(SettingKeys.TlsKeyFile, tls.KeyFile);
        if ((cert is null) != (key is null))
        {
            var missing = cert is null ? SettingKeys.TlsCertFile : SettingKeys.TlsKeyFile;
            throw new MurmurSettingsException(missing, $"{SettingKeys.TlsCertFile} and {SettingKeys.TlsKeyFile} go together (a client certificate and its private key); {missing} is missing.");
        }
        var enabled = tls.Enabled ?? (ca is not null || cert is not null || impliedByUrl);
        if (!enabled && (ca is not null || cert is not null))
        {
            throw new MurmurSettingsException(SettingKeys.TlsEnabled, $"{SettingKeys.TlsEnabled} is false, but a CA or client certificate is set ({SettingKeys.TlsCaFile}, {SettingKeys.TlsCertFile}).");
        }
        return (enabled, ca, cert, key);
    }

    internal static SaslMechanism? Mechanism(string? name) => string.IsNullOrWhiteSpace(name) ? null
        : name.Trim().ToUpperInvariant().Replace("_", "-", StringComparison.Ordinal) switch
        {
            "PLAIN" => SaslMechanism.Plain,
            "SCRAM-SHA-256" or "SCRAMSHA256" => SaslMechanism.ScramSha256,
            "SCRAM-SHA-512" or "SCRAMSHA512" => SaslMechanism.ScramSha512,
            _ => throw new MurmurSettingsException(SettingKeys.KafkaSaslMechanism,
                $"{SettingKeys.KafkaSaslMechanism} '{name}' is not supported here; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (other mechanisms: KafkaEventLogOptions in code)."),
        };

    private static SecurityProtocol? Protocol(string? name) => string.IsNullOrWhiteSpace(name) ? null
        : name.Trim().ToUpperInvariant().Replace("_", "", StringComparison.Ordinal) switch
        {
            "PLAINTEXT" => SecurityProtocol.Plaintext,
            "SSL" => SecurityProtocol.Ssl,
            "SASLPLAINTEXT" => SecurityProtocol.SaslPlaintext,
            "SASLSSL" => SecurityProtocol.SaslSsl,
            _ => throw new MurmurSettingsException(SettingKeys.KafkaSecurityProtocol,
                $"{SettingKeys.KafkaSecurityProtocol} '{name}' is unknown; use Plaintext, Ssl, SaslPlaintext or SaslSsl."),
        };

    /// <summary>Settings of the transport that is not in use are refused rather than silently ignored: they usually mean a mistaken URL.</summary>
    private static void RefuseOrphans(LogSettings log, bool nats, bool kafka)
    {
        var orphan = (nats ? NatsKeys(log.Nats) : []).Concat(kafka ? KafkaKeys(log.Kafka) : []).FirstOrDefault();
        if (orphan is not null)
        {
            var why = string.IsNullOrWhiteSpace(log.Url) ? $"{SettingKeys.LogUrl} is not set" : $"the log is {(nats ? "Kafka" : "NATS")}";
            throw new MurmurSettingsException(orphan, $"{orphan} is set, but {why}.");
        }
    }

    private static IEnumerable<string> NatsKeys(NatsSettings nats)
    {
        if (nats.User is not null) { yield return SettingKeys.NatsUser; }
        if (nats.Password is not null) { yield return SettingKeys.NatsPassword; }
        if (nats.Token is not null) { yield return SettingKeys.NatsToken; }
        if (nats.NKeyFile is not null) { yield return SettingKeys.NatsNKeyFile; }
        if (nats.CredsFile is not null) { yield return SettingKeys.NatsCredsFile; }
    }

    private static IEnumerable<string> KafkaKeys(KafkaSettings kafka)
    {
        if (kafka.SaslMechanism is not null) { yield return SettingKeys.KafkaSaslMechanism; }
        if (kafka.SaslUsername is not null) { yield return SettingKeys.KafkaSaslUsername; }
        if (kafka.SaslPassword is not null) { yield return SettingKeys.KafkaSaslPassword; }
    }

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
