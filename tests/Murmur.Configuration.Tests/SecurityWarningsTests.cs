namespace Murmur.Configuration.Tests;

/// <summary>What a node leaves open is listed, each with the option that closes it; a secured node lists nothing.</summary>
public sealed class SecurityWarningsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static SecurityWarningKind[] Kinds(NodeSetup setup) => [.. setup.Warnings.Select(w => w.Kind)];

    [Fact]
    public void AnOpenNodeOnAnotherMachine_IsUnsignedUnauthenticatedAndUnencrypted_AndNamesTheFixes()
    {
        var setup = Settings.Resolve((SettingKeys.LogUrl, "nats://10.0.0.1:4222"));

        Assert.Equal([SecurityWarningKind.Unsigned, SecurityWarningKind.Unauthenticated, SecurityWarningKind.Unencrypted], Kinds(setup));
        Assert.Contains("--sign-key", setup.Warnings[0].Fix, StringComparison.Ordinal);
        Assert.Contains("write events as any agent", setup.Warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains("--nats-nkey", setup.Warnings[1].Fix, StringComparison.Ordinal);
        Assert.Contains("--tls-ca", setup.Warnings[2].Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nats://127.0.0.1:4222")]
    [InlineData("nats://localhost:4222,nats://[::1]:4223")]
    public void ALogOnThisMachine_NeedsNoTlsForPrivacy(string url)
        => Assert.DoesNotContain(SecurityWarningKind.Unencrypted, Kinds(Settings.Resolve((SettingKeys.LogUrl, url))));

    [Fact]
    public void ASecuredNatsNode_HasNoWarning()
    {
        var setup = Settings.Resolve(
            (SettingKeys.LogUrl, "tls://10.0.0.1:4222"),
            (SettingKeys.NatsNKeyFile, _dir.File("user.nk")),
            (SettingKeys.TlsCaFile, _dir.File("ca.pem")),
            (SettingKeys.SigningKeyFile, _dir.EcdsaPair("n1")));
        Assert.Empty(setup.Warnings);
    }

    [Fact]
    public void TrustedKeysWithoutAKeyOfItsOwn_RunUnsigned_AndSaySo()
    {
        _dir.EcdsaPair("n1");
        var setup = Settings.Resolve((SettingKeys.SigningTrustedKeys, Path.Combine(_dir.Path, "keys")));

        Assert.Null(setup.Signing);
        var warning = Assert.Single(setup.Warnings);
        Assert.Equal(SecurityWarningKind.Unsigned, warning.Kind);
        Assert.Contains("without a key of its own this node verifies nothing", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AllowingUnsignedEvents_IsAWarning()
    {
        var setup = Settings.Resolve((SettingKeys.SigningKeyFile, _dir.EcdsaPair("n1")), (SettingKeys.SigningRequireSignatures, "false"));
        var warning = Assert.Single(setup.Warnings);
        Assert.Equal(SecurityWarningKind.UnsignedAccepted, warning.Kind);
        Assert.Contains("--require-signatures", warning.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void APrivateKeyOthersCanRead_IsAWarning()
    {
        var key = _dir.EcdsaPair("n1");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var warning = Assert.Single(Settings.Resolve((SettingKeys.SigningKeyFile, key)).Warnings);
        Assert.Equal(SecurityWarningKind.KeyFileExposed, warning.Kind);
        Assert.Contains("chmod 600", warning.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOpenKafkaNode_IsUnauthenticatedAndUnencrypted_ASaslTlsOneIsNot()
    {
        var open = Settings.Resolve((SettingKeys.LogUrl, "kafka://10.0.0.1:9092"), (SettingKeys.SigningKeyFile, _dir.EcdsaPair("n1")));
        var secured = Settings.Resolve((SettingKeys.LogUrl, "kafka://10.0.0.1:9093"), (SettingKeys.SigningKeyFile, _dir.EcdsaPair("n2")),
            (SettingKeys.KafkaSaslMechanism, "SCRAM-SHA-512"), (SettingKeys.KafkaSaslUsername, "u"), (SettingKeys.KafkaSaslPassword, "p"), (SettingKeys.TlsEnabled, "true"));

        Assert.Equal([SecurityWarningKind.Unauthenticated, SecurityWarningKind.Unencrypted], Kinds(open));
        Assert.Contains("--kafka-sasl-mechanism", open.Warnings[0].Fix, StringComparison.Ordinal);
        Assert.Empty(secured.Warnings);
    }
}
