using Confluent.Kafka;
using Murmur.Logs;

namespace Murmur.Kafka.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Defaults_AreValid_AndDocumentedValues()
    {
        var options = KafkaEventLogOptions.Default;
        options.Validate();
        Assert.Equal("127.0.0.1:9092", options.BootstrapServers);
        Assert.Equal("murmur-events", options.KafkaTopic);
        Assert.Equal(1, options.Partitions);
        Assert.Equal(1, options.ReplicationFactor);
        Assert.Equal(LogGuard.DefaultMaxRecordBytes, options.MaxRecordBytes);
        Assert.Null(options.SecurityProtocol);
    }

    public static TheoryData<KafkaEventLogOptions, string, string> BadOptions => new()
    {
        { new KafkaEventLogOptions { BootstrapServers = " " }, "BootstrapServers", "must not be empty" },
        { new KafkaEventLogOptions { KafkaTopic = "" }, "KafkaTopic", "must be 1 to 249 characters" },
        { new KafkaEventLogOptions { KafkaTopic = "has space" }, "KafkaTopic", "'has space'" },
        { new KafkaEventLogOptions { KafkaTopic = ".." }, "KafkaTopic", "not '.' or '..'" },
        { new KafkaEventLogOptions { KafkaTopic = new string('t', 250) }, "KafkaTopic", "1 to 249" },
        { new KafkaEventLogOptions { Partitions = 0 }, "Partitions", "between 1 and 100000" },
        { new KafkaEventLogOptions { ReplicationFactor = 0 }, "ReplicationFactor", "1 or more" },
        { new KafkaEventLogOptions { ReplicationFactor = 3, MinInSyncReplicas = 4 }, "MinInSyncReplicas", "between 1 and ReplicationFactor (3)" },
        { new KafkaEventLogOptions { MaxRecordBytes = 0 }, "MaxRecordBytes", "MaxRecordBytes must be between 1" },
        { new KafkaEventLogOptions { RequestTimeout = TimeSpan.Zero }, "RequestTimeout", "between 100 ms and 1 day" },
        { new KafkaEventLogOptions { RecentEventIds = -1 }, "RecentEventIds", "0 or more" },
        { new KafkaEventLogOptions { ClientId = "" }, "ClientId", "must not be empty" },
        { new KafkaEventLogOptions { SecurityProtocol = SecurityProtocol.SaslSsl, SaslMechanism = SaslMechanism.Plain, SaslUsername = "u" }, "SaslPassword", "set together" },
        { new KafkaEventLogOptions { SaslMechanism = SaslMechanism.ScramSha256, SaslUsername = "u", SaslPassword = "p" }, "SecurityProtocol", "need SecurityProtocol SaslPlaintext or SaslSsl (got none)" },
        { new KafkaEventLogOptions { SecurityProtocol = SecurityProtocol.SaslPlaintext }, "SaslMechanism", "needs a SaslMechanism" },
        { new KafkaEventLogOptions { SecurityProtocol = SecurityProtocol.SaslSsl, SaslMechanism = SaslMechanism.ScramSha512 }, "SaslUsername", "needs SaslUsername and SaslPassword" },
        { new KafkaEventLogOptions { SecurityProtocol = SecurityProtocol.Plaintext, SslCaLocation = "/ca.pem" }, "SslCaLocation", "needs SecurityProtocol Ssl or SaslSsl (got Plaintext)" },
        { new KafkaEventLogOptions { SecurityProtocol = SecurityProtocol.Ssl, SslCertificateLocation = "/client.pem" }, "SslKeyLocation", "set together" },
        { new KafkaEventLogOptions { SecurityProtocol = SecurityProtocol.Ssl, SslKeyLocation = "/client-key.pem" }, "SslCertificateLocation", "set together" },
        { new KafkaEventLogOptions { SslCertificateLocation = "/client.pem", SslKeyLocation = "/client-key.pem" }, "SslCertificateLocation", "needs SecurityProtocol Ssl or SaslSsl (got none)" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Validate_NamesTheBadOption(KafkaEventLogOptions options, string name, string message)
    {
        var error = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Equal(name, error.ParamName);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_ValidatesBeforeTouchingTheNetwork()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => KafkaEventLog.ConnectAsync(new KafkaEventLogOptions { Partitions = -1 }));
        Assert.Equal("Partitions", error.ParamName);
    }

    [Fact]
    public void UseKafka_ValidatesTheOptionsAtOnce()
    {
        var builder = new MurmurNodeBuilder();
        Assert.Same(builder, builder.UseKafka(new KafkaEventLogOptions()));
        var error = Assert.ThrowsAny<ArgumentException>(() => new MurmurNodeBuilder().UseKafka(new KafkaEventLogOptions { BootstrapServers = "" }));
        Assert.Equal("BootstrapServers", error.ParamName);
    }

    [Fact]
    public void SecureOptions_WithSaslSsl_AreValid()
    {
        new KafkaEventLogOptions
        {
            SecurityProtocol = SecurityProtocol.SaslSsl,
            SaslMechanism = SaslMechanism.ScramSha512,
            SaslUsername = "murmur",
            SaslPassword = "secret",
            SslCaLocation = "/etc/ssl/ca.pem",
            ReplicationFactor = 3,
            MinInSyncReplicas = 2,
        }.Validate();
    }
}
