using Confluent.Kafka;
using Murmur.Kafka;

namespace Murmur.Configuration.Tests;

/// <summary>Kafka settings map onto <see cref="KafkaEventLogOptions"/> and from there onto librdkafka's configuration (no broker here).</summary>
public sealed class KafkaMappingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void SaslScramOverTls_ReachesEveryClientAsLibrdkafkaKeys()
    {
        var ca = _dir.File("ca.pem");
        var setup = Settings.Resolve(
            (SettingKeys.LogUrl, "kafka://k1:9093,k2:9093"),
            (SettingKeys.KafkaTopic, "mesh-events"),
            (SettingKeys.KafkaReplicationFactor, "3"),
            (SettingKeys.KafkaMinInSyncReplicas, "2"),
            (SettingKeys.KafkaSaslMechanism, "SCRAM-SHA-512"),
            (SettingKeys.KafkaSaslUsername, "murmur"),
            (SettingKeys.KafkaSaslPassword, "s3cret"),
            (SettingKeys.TlsCaFile, ca));

        Assert.Null(setup.Nats);
        var kafka = Assert.IsType<KafkaEventLogOptions>(setup.Kafka);
        Assert.Equal(("k1:9093,k2:9093", "mesh-events", (short)3, 2), (kafka.BootstrapServers, kafka.KafkaTopic, kafka.ReplicationFactor, kafka.MinInSyncReplicas));
        foreach (ClientConfig config in new ClientConfig[] { KafkaConfigFactory.Producer(kafka), KafkaConfigFactory.Consumer(kafka), KafkaConfigFactory.Admin(kafka) })
        {
            var raw = config.ToDictionary(p => p.Key, p => p.Value);
            Assert.Equal("sasl_ssl", raw["security.protocol"]);
            Assert.Equal("SCRAM-SHA-512", raw["sasl.mechanism"]);
            Assert.Equal("murmur", raw["sasl.username"]);
            Assert.Equal("s3cret", raw["sasl.password"]);
            Assert.Equal(ca, raw["ssl.ca.location"]);
        }
    }

    [Fact]
    public void AClientCertificate_ReachesTheClient_AsSsl()
    {
        var setup = Settings.Resolve(
            (SettingKeys.LogUrl, "kafka://k1:9093"),
            (SettingKeys.TlsCaFile, _dir.File("ca.pem")),
            (SettingKeys.TlsCertFile, _dir.File("node.pem")),
            (SettingKeys.TlsKeyFile, _dir.File("node-key.pem")));

        var raw = KafkaConfigFactory.Producer(setup.Kafka!).ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("ssl", raw["security.protocol"]);
        Assert.EndsWith("node.pem", raw["ssl.certificate.location"], StringComparison.Ordinal);
        Assert.EndsWith("node-key.pem", raw["ssl.key.location"], StringComparison.Ordinal);
        Assert.False(raw.ContainsKey("sasl.mechanism"));
    }

    [Theory]
    [InlineData("PLAIN", null, null, SecurityProtocol.SaslPlaintext, SaslMechanism.Plain)]
    [InlineData("scram-sha-256", "true", null, SecurityProtocol.SaslSsl, SaslMechanism.ScramSha256)]
    [InlineData("SCRAM_SHA_512", null, "SASL_SSL", SecurityProtocol.SaslSsl, SaslMechanism.ScramSha512)]
    public void TheProtocol_FollowsFromSaslAndTls_UnlessGiven(string mechanism, string? tls, string? protocol, SecurityProtocol expected, SaslMechanism expectedMechanism)
    {
        var kafka = Settings.Resolve(
            (SettingKeys.LogUrl, "kafka://k1:9092"),
            (SettingKeys.KafkaSaslMechanism, mechanism),
            (SettingKeys.KafkaSaslUsername, "u"),
            (SettingKeys.KafkaSaslPassword, "p"),
            (SettingKeys.TlsEnabled, tls),
            (SettingKeys.KafkaSecurityProtocol, protocol)).Kafka!;

        Assert.Equal(expected, kafka.SecurityProtocol);
        Assert.Equal(expectedMechanism, kafka.SaslMechanism);
    }

    [Fact]
    public void NoSecurity_LeavesLibrdkafkasPlaintextDefault()
    {
        var kafka = Settings.Resolve((SettingKeys.LogUrl, "kafka://127.0.0.1:9092")).Kafka!;
        Assert.Null(kafka.SecurityProtocol);
        Assert.Equal("127.0.0.1:9092", kafka.BootstrapServers);
        Assert.Equal(KafkaEventLogOptions.Default.KafkaTopic, kafka.KafkaTopic);
    }
}
