using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Murmur.Configuration;

namespace Murmur.Hosting.Tests;

/// <summary>AddMurmur reads the signing keys and the log from the configuration section Murmur, and refuses wrong settings by key.</summary>
public sealed class ConfiguredSecurityTests : IDisposable
{
    private readonly string _keys = Directory.CreateTempSubdirectory("murmur-hosting-keys-").FullName;

    public void Dispose() => Directory.Delete(_keys, recursive: true);

    private string Pair(string keyId)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var own = Path.Combine(_keys, keyId + ".pem");
        File.WriteAllText(own, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(_keys, keyId + ".pub.pem"), key.ExportSubjectPublicKeyInfoPem());
        return own;
    }

    [Fact]
    public async Task ConfiguredKeys_SignTheNodesEvents_AndNameTheNode()
    {
        var own = Pair("host-a");
        Pair("host-b");
        using var host = HostBuilding.Build(new()
        {
            [SettingKeys.SigningKeyFile] = own,
            [SettingKeys.SigningTrustedKeys] = _keys,
            ["Murmur:Topics:0:Name"] = "chat",
        }, m => m.AddAgent<Pinger>("Pinger", "chat").AddAgent<Ponger>("Ponger", "chat"));

        await host.StartAsync().WaitAsync(HostBuilding.Patience);
        var murmur = host.Services.GetRequiredService<MurmurNodeAccessor>();
        var pong = await murmur.GetTopic("chat").WaitForEventAsync(e => e.Action == "PONG").WaitAsync(HostBuilding.Patience);

        Assert.Equal("host-a", murmur.Node.NodeId);
        Assert.Equal(["host-b"], murmur.Node.Options.Signing!.TrustedKeys.Keys);
        Assert.StartsWith("host-a:", pong.Signature, StringComparison.Ordinal);
        Assert.All(murmur.GetTopic("chat").History, e => Assert.StartsWith("host-a:", e.Signature, StringComparison.Ordinal));
        await host.StopAsync().WaitAsync(HostBuilding.Patience);
    }

    [Fact]
    public async Task AWrongSetting_FailsTheStart_NamingTheKey()
    {
        using var host = HostBuilding.Build(new() { [SettingKeys.SigningKeyFile] = Path.Combine(_keys, "missing.pem") }, _ => { });

        var error = await Assert.ThrowsAsync<MurmurSettingsException>(() => host.StartAsync());

        Assert.Equal(SettingKeys.SigningKeyFile, error.Key);
        Assert.Contains("missing.pem' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConfiguredNodeIdOtherThanTheKeys_FailsTheStart()
    {
        var own = Pair("host-a");
        using var host = HostBuilding.Build(new() { [SettingKeys.SigningKeyFile] = own, ["Murmur:NodeId"] = "host-z" }, m => m.UseInMemoryLog());

        var error = await Assert.ThrowsAsync<MurmurSettingsException>(() => host.StartAsync());

        Assert.Equal(SettingKeys.NodeId, error.Key);
    }
}
