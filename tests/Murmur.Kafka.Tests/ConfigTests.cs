using Confluent.Kafka;
using Murmur.Logs;

namespace Murmur.Kafka.Tests;

public sealed class ConfigTests
{
    private static readonly KafkaEventLogOptions Secure = new()
    {
        BootstrapServers = "k1:9093,k2:9093",
        ClientId = "node-a",
        SecurityProtocol = SecurityProtocol.SaslSsl,
        SaslMechanism = SaslMechanism.ScramSha512,
        SaslUsername = "murmur",
        SaslPassword = "secret",
        SslCaLocation = "/etc/kafka/ca.pem",
        SslCertificateLocation = "/etc/kafka/node-a.pem",
        SslKeyLocation = "/etc/kafka/node-a-key.pem",
        MaxRecordBytes = 2 * 1024 * 1024,
        RequestTimeout = TimeSpan.FromSeconds(7),
    };

    [Fact]
    public void Producer_IsIdempotent_WaitsForAllReplicas_AndFitsTheLargestRecord()
    {
        var config = KafkaConfigFactory.Producer(KafkaEventLogOptions.Default);
        Assert.True(config.EnableIdempotence);
        Assert.Equal(Acks.All, config.Acks);
        Assert.True(config.MaxInFlight <= 5, "idempotent ordering needs at most 5 requests in flight");
        Assert.Equal(LogGuard.DefaultMaxRecordBytes + 64 * 1024, config.MessageMaxBytes);
        Assert.Equal(10_000, config.MessageTimeoutMs);
        Assert.Equal("127.0.0.1:9092", config.BootstrapServers);
        Assert.False(config.AllowAutoCreateTopics);
        Assert.Null(config.SecurityProtocol);
    }

    public static TheoryData<string> Kinds => ["admin", "producer", "consumer"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryClient_GetsTheSecuritySettings(string kind)
    {
        ClientConfig config = kind switch
        {
            "admin" => KafkaConfigFactory.Admin(Secure),
            "producer" => KafkaConfigFactory.Producer(Secure),
            _ => KafkaConfigFactory.Consumer(Secure),
        };
        Assert.Equal("k1:9093,k2:9093", config.BootstrapServers);
        Assert.Equal("node-a", config.ClientId);
        Assert.Equal(SecurityProtocol.SaslSsl, config.SecurityProtocol);
        Assert.Equal(SaslMechanism.ScramSha512, config.SaslMechanism);
        Assert.Equal("murmur", config.SaslUsername);
        Assert.Equal("secret", config.SaslPassword);
        Assert.Equal("/etc/kafka/ca.pem", config.SslCaLocation);
        // The raw librdkafka keys, as the native client receives them.
        var raw = config.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("sasl_ssl", raw["security.protocol"]);
        Assert.Equal("SCRAM-SHA-512", raw["sasl.mechanism"]);
        Assert.Equal("/etc/kafka/ca.pem", raw["ssl.ca.location"]);
        Assert.Equal("/etc/kafka/node-a.pem", raw["ssl.certificate.location"]);
        Assert.Equal("/etc/kafka/node-a-key.pem", raw["ssl.key.location"]);
    }

    [Fact]
    public void ProducerRawKeys_CarryIdempotenceAndAcks()
    {
        var raw = KafkaConfigFactory.Producer(Secure).ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("True", raw["enable.idempotence"], ignoreCase: true);
        Assert.Equal("-1", raw["acks"]);
        Assert.Equal("7000", raw["message.timeout.ms"]);
        Assert.Equal((2 * 1024 * 1024 + 64 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), raw["message.max.bytes"]);
    }

    [Fact]
    public void Consumer_AssignsWithoutCommitting_AndSignalsTheEnd()
    {
        var config = KafkaConfigFactory.Consumer(Secure);
        Assert.False(config.EnableAutoCommit);
        Assert.False(config.EnableAutoOffsetStore);
        Assert.True(config.EnablePartitionEof);
        Assert.Equal(AutoOffsetReset.Earliest, config.AutoOffsetReset);
        Assert.True(config.MaxPartitionFetchBytes >= 2 * 1024 * 1024 + 64 * 1024);
        Assert.StartsWith("node-a-reader-", config.GroupId, StringComparison.Ordinal);
        Assert.NotEqual(config.GroupId, KafkaConfigFactory.Consumer(Secure).GroupId);
    }
}
