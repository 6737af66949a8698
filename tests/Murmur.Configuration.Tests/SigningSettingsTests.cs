using System.Text;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Security;

namespace Murmur.Configuration.Tests;

/// <summary>Signing keys are read in the layout 'murmur keys new' writes, and the node id follows the key.</summary>
public sealed class SigningSettingsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static AgentEvent Event(string actor) => new("evt_1", actor, "FINDING", Encoding.UTF8.GetBytes("""{"text":"x"}"""), VectorClock.Empty);

    [Fact]
    public void AnEcdsaKeyAndATrustDirectory_SignAsTheKeysNode_AndVerifyTheOthers()
    {
        var n1 = _dir.EcdsaPair("n1");
        var n2 = _dir.EcdsaPair("n2");
        var trusted = Path.Combine(_dir.Path, "keys");

        var first = Settings.Resolve((SettingKeys.SigningKeyFile, n1), (SettingKeys.SigningTrustedKeys, trusted));
        var second = Settings.Resolve((SettingKeys.SigningKeyFile, n2), (SettingKeys.SigningTrustedKeys, trusted));

        Assert.Equal("n1", first.NodeId);
        var signing = first.Signing!;
        Assert.Equal(SigningAlgorithm.EcdsaP256Sha256, signing.Algorithm);
        Assert.Equal("n1", signing.KeyId);
        Assert.True(signing.RequireSignatures);
        Assert.Equal(["n2"], signing.TrustedKeys.Keys);
        using var signer = new EcdsaEventSigner(signing);
        using var verifier = new EcdsaEventSigner(second.Signing!);
        Assert.True(verifier.TryVerify(signer.Sign(Event("A")), out var keyId, out var reason), reason);
        Assert.Equal("n1", keyId);
    }

    [Fact]
    public void TrustedKeys_MayListSingleFilesAndDirectories()
    {
        var n1 = _dir.EcdsaPair("n1", "n1");
        _dir.EcdsaPair("n2", "n2");
        _dir.EcdsaPair("n3", "others");
        _dir.EcdsaPair("n4", "others");

        var setup = Settings.Resolve(
            (SettingKeys.SigningKeyFile, n1),
            (SettingKeys.SigningTrustedKeys, $"{Path.Combine(_dir.Path, "n2", "n2.pub.pem")}, {Path.Combine(_dir.Path, "others")}"));

        Assert.Equal(["n2", "n3", "n4"], setup.Signing!.TrustedKeys.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AVersionedKey_NamesItsNode()
    {
        var key = _dir.EcdsaPair("n1/v2");
        var setup = Settings.Resolve((SettingKeys.SigningKeyFile, key));
        Assert.Equal("n1/v2", setup.Signing!.KeyId);
        Assert.Equal("n1", setup.NodeId);
    }

    [Fact]
    public void AllowUnsigned_TurnsRequireSignaturesOff()
    {
        var setup = Settings.Resolve((SettingKeys.SigningKeyFile, _dir.EcdsaPair("n1")), (SettingKeys.SigningRequireSignatures, "false"));
        Assert.False(setup.Signing!.RequireSignatures);
    }

    [Fact]
    public void HmacKeyFiles_AreReadFromBase64()
    {
        var own = _dir.File("hmac/n1.key", Convert.ToBase64String(new byte[32]));
        _dir.File("hmac/n2.key", Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray()));

        var setup = Settings.Resolve((SettingKeys.SigningKeyFile, own), (SettingKeys.SigningTrustedKeys, Path.Combine(_dir.Path, "hmac")));

        Assert.Equal(SigningAlgorithm.HmacSha256, setup.Signing!.Algorithm);
        Assert.Equal(["n2"], setup.Signing.TrustedKeys.Keys);
        Assert.Equal(32, setup.Signing.Key.Length);
    }

    [Fact]
    public void TheConfiguredNodeId_MustBeTheKeysNode()
    {
        var error = Settings.Refused((SettingKeys.NodeId, "n9"), (SettingKeys.SigningKeyFile, _dir.EcdsaPair("n1")));
        Assert.Equal(SettingKeys.NodeId, error.Key);
        Assert.Contains("'n9' does not match the signing key 'n1'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ApplyTo_GivesTheNodeItsIdAndKeys()
    {
        var setup = Settings.Resolve((SettingKeys.SigningKeyFile, _dir.EcdsaPair("n1")));
        var builder = setup.ApplyTo(new MurmurNodeBuilder());
        Assert.Equal("n1", builder.Options.NodeId);
        Assert.Same(setup.Signing, builder.Options.Signing);
    }
}
