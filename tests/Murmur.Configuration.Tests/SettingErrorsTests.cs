namespace Murmur.Configuration.Tests;

/// <summary>A wrong setting is one exception naming its key and the problem.</summary>
public sealed class SettingErrorsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("http://n:4222", SettingKeys.LogUrl, "is not a log address")]
    [InlineData("nats://a:4222,kafka://b:9092", SettingKeys.LogUrl, "is not a log address")]
    public void AnAddressOfNoKnownLog_IsRefused(string url, string key, string message)
    {
        var error = Settings.Refused((SettingKeys.LogUrl, url));
        Assert.Equal(key, error.Key);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string, string> BadValues => new()
    {
        { SettingKeys.NatsReplicas, "9", SettingKeys.NatsReplicas, "between 1 and 5" },
        { SettingKeys.NatsStream, "A.B", SettingKeys.NatsStream, "without '.'" },
        { SettingKeys.NatsUser, "murmur", SettingKeys.NatsPassword, "MURMUR__LOG__NATS__PASSWORD" },
        { SettingKeys.NatsNKeyFile, "/nonexistent/user.nk", SettingKeys.NatsNKeyFile, "does not exist" },
        { SettingKeys.TlsCertFile, "PLACEHOLDER", SettingKeys.TlsKeyFile, "go together" },
        { SettingKeys.MaxRecordBytes, "0", SettingKeys.MaxRecordBytes, "must be positive" },
        { SettingKeys.KafkaSaslUsername, "murmur", SettingKeys.KafkaSaslUsername, "but the log is NATS" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void ABadNatsValue_NamesItsKey(string key, string value, string named, string message)
    {
        value = value == "PLACEHOLDER" ? _dir.File("client.pem") : value;
        var error = Settings.Refused((SettingKeys.LogUrl, "nats://n:4222"), (key, value));
        Assert.Equal(named, error.Key);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SettingKeys.KafkaSaslMechanism, "GSSAPI", SettingKeys.KafkaSaslMechanism, "not supported here")]
    [InlineData(SettingKeys.KafkaSecurityProtocol, "Carrier-Pigeon", SettingKeys.KafkaSecurityProtocol, "is unknown")]
    [InlineData(SettingKeys.KafkaReplicationFactor, "0", SettingKeys.KafkaReplicationFactor, "1 or more")]
    [InlineData(SettingKeys.KafkaMinInSyncReplicas, "2", SettingKeys.KafkaMinInSyncReplicas, "replication factor (1)")]
    [InlineData(SettingKeys.KafkaSaslUsername, "u", SettingKeys.KafkaSaslMechanism, "is not")]
    [InlineData(SettingKeys.NatsNKeyFile, "/x.nk", SettingKeys.NatsNKeyFile, "but the log is Kafka")]
    public void ABadKafkaValue_NamesItsKey(string key, string value, string named, string message)
    {
        var error = Settings.Refused((SettingKeys.LogUrl, "kafka://k:9092"), (key, value));
        Assert.Equal(named, error.Key);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SaslWithoutAPassword_SaysWhereThePasswordGoes()
    {
        var error = Settings.Refused((SettingKeys.LogUrl, "kafka://k:9092"), (SettingKeys.KafkaSaslMechanism, "PLAIN"), (SettingKeys.KafkaSaslUsername, "u"));
        Assert.Equal(SettingKeys.KafkaSaslPassword, error.Key);
        Assert.Contains("MURMUR__LOG__KAFKA__SASLPASSWORD", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TransportCredentials_WithoutAUrl_AreRefusedRatherThanIgnored()
    {
        var error = Settings.Refused((SettingKeys.NatsToken, "t"));
        Assert.Equal(SettingKeys.NatsToken, error.Key);
        Assert.Contains("Murmur:Log:Url is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequireSignatures_WithoutAKey_IsRefused()
    {
        var error = Settings.Refused((SettingKeys.SigningRequireSignatures, "true"));
        Assert.Equal(SettingKeys.SigningRequireSignatures, error.Key);
        Assert.Contains("needs Murmur:Signing:KeyFile", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APublicKeyGivenAsThisNodesKey_IsRefused()
    {
        _dir.EcdsaPair("n1");
        var error = Settings.Refused((SettingKeys.SigningKeyFile, Path.Combine(_dir.Path, "keys", "n1.pub.pem")));
        Assert.Equal(SettingKeys.SigningKeyFile, error.Key);
        Assert.Contains("is a public key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APrivateKeyListedAsTrusted_IsRefused()
    {
        var own = _dir.EcdsaPair("n1");
        var other = _dir.EcdsaPair("n2", "n2");
        var error = Settings.Refused((SettingKeys.SigningKeyFile, own), (SettingKeys.SigningTrustedKeys, other));
        Assert.Equal(SettingKeys.SigningTrustedKeys, error.Key);
        Assert.Contains("never hand out private keys", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AKeyFileThatIsNotAKey_IsRefused()
    {
        var error = Settings.Refused((SettingKeys.SigningKeyFile, _dir.File("n1.pem", "hello")));
        Assert.Equal(SettingKeys.SigningKeyFile, error.Key);
        Assert.Contains("holds no PEM private key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACorruptTrustedKey_NamesTrustedKeys()
    {
        var own = _dir.EcdsaPair("n1");
        _dir.File("keys/n2.pub.pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        var error = Settings.Refused((SettingKeys.SigningKeyFile, own), (SettingKeys.SigningTrustedKeys, Path.Combine(_dir.Path, "keys")));
        Assert.Equal(SettingKeys.SigningTrustedKeys, error.Key);
        Assert.Contains("'n2'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownAlgorithm_IsRefused()
    {
        var error = Settings.Refused((SettingKeys.SigningKeyFile, _dir.EcdsaPair("n1")), (SettingKeys.SigningAlgorithm, "rot13"));
        Assert.Equal(SettingKeys.SigningAlgorithm, error.Key);
    }
}
