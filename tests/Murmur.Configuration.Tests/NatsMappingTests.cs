using Murmur.Nats;
using NATS.Client.Core;

namespace Murmur.Configuration.Tests;

/// <summary>NATS settings map onto <see cref="NatsEventLogOptions"/> and from there onto the client's <see cref="NatsOpts"/>.</summary>
public sealed class NatsMappingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TheLogSettings_ReachTheNatsClient()
    {
        var nkey = _dir.File("user.nk");
        var ca = _dir.File("ca.pem");
        var cert = _dir.File("client.pem");
        var key = _dir.File("client-key.pem");

        var setup = Settings.Resolve(
            (SettingKeys.LogUrl, "nats://10.0.0.1:4222, nats://10.0.0.2:4222"),
            (SettingKeys.NatsStream, "MESH"),
            (SettingKeys.NatsReplicas, "3"),
            (SettingKeys.MaxRecordBytes, "2097152"),
            (SettingKeys.NatsNKeyFile, nkey),
            (SettingKeys.TlsCaFile, ca),
            (SettingKeys.TlsCertFile, cert),
            (SettingKeys.TlsKeyFile, key));

        Assert.Null(setup.Kafka);
        var nats = Assert.IsType<NatsEventLogOptions>(setup.Nats);
        Assert.Equal("nats://10.0.0.1:4222,nats://10.0.0.2:4222", nats.Url);
        Assert.Equal("MESH", nats.StreamName);
        Assert.Equal(3, nats.Replicas);
        Assert.Equal(2 * 1024 * 1024, nats.MaxRecordBytes);
        var client = NatsOptionsFactory.Create(nats);
        Assert.Equal(nkey, client.AuthOpts.NKeyFile);
        Assert.Equal(TlsMode.Require, client.TlsOpts.Mode);
        Assert.Equal(ca, client.TlsOpts.CaFile);
        Assert.Equal(cert, client.TlsOpts.CertFile);
        Assert.Equal(key, client.TlsOpts.KeyFile);
    }

    [Fact]
    public void UserPasswordAndToken_ReachTheClient()
    {
        var user = Settings.Resolve((SettingKeys.LogUrl, "nats://n:4222"), (SettingKeys.NatsUser, "murmur"), (SettingKeys.NatsPassword, "pa55"));
        var token = Settings.Resolve((SettingKeys.LogUrl, "nats://n:4222"), (SettingKeys.NatsToken, "t0ken"));
        var creds = Settings.Resolve((SettingKeys.LogUrl, "nats://n:4222"), (SettingKeys.NatsCredsFile, _dir.File("user.creds")));

        Assert.Equal(("murmur", "pa55"), (NatsOptionsFactory.Create(user.Nats!).AuthOpts.Username, NatsOptionsFactory.Create(user.Nats!).AuthOpts.Password));
        Assert.Equal("t0ken", NatsOptionsFactory.Create(token.Nats!).AuthOpts.Token);
        Assert.EndsWith("user.creds", NatsOptionsFactory.Create(creds.Nats!).AuthOpts.CredsFile, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tls://n:4222", null, true)]
    [InlineData("nats://n:4222", "true", true)]
    [InlineData("nats://n:4222", null, false)]
    public void Tls_IsRequiredByATlsUrl_OrByEnabled(string url, string? enabled, bool required)
    {
        var setup = Settings.Resolve((SettingKeys.LogUrl, url), (SettingKeys.TlsEnabled, enabled));
        Assert.Equal(required, setup.Nats!.RequireTls);
        Assert.Equal(required ? TlsMode.Require : TlsMode.Auto, NatsOptionsFactory.Create(setup.Nats).TlsOpts.Mode);
    }

    [Fact]
    public void UnsetValues_KeepTheTransportDefaults()
    {
        var nats = Settings.Resolve((SettingKeys.LogUrl, "nats://127.0.0.1:4222")).Nats!;
        var defaults = NatsEventLogOptions.Default;
        Assert.Equal((defaults.StreamName, defaults.SubjectPrefix, defaults.Replicas, defaults.MaxRecordBytes), (nats.StreamName, nats.SubjectPrefix, nats.Replicas, nats.MaxRecordBytes));
        Assert.Null(nats.Username);
        Assert.Null(nats.NKeyFile);
        Assert.False(nats.RequireTls);
    }

    [Fact]
    public void NoUrl_IsNoLog()
    {
        var setup = Settings.Resolve();
        Assert.False(setup.HasLog);
        Assert.Null(setup.LogAddress);
    }
}
