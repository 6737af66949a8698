using System.Text;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Security;
using NATS.NKeys;

namespace Murmur.Cli.Tests;

/// <summary><c>murmur keys</c>: key pairs in the layout the loader reads, private parts readable by their owner only.</summary>
public sealed class KeysCommandTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void New_WritesAPairTheLoaderReads_AndTheOthersVerify()
    {
        var dir = _cli.Directory("keys");
        var (exit, stdout, _) = CliRun.Run("keys", "new", "--node", "n1", "--out", dir);
        CliRun.Run("keys", "new", "--node", "n2", "--out", dir);

        Assert.Equal(0, exit);
        Assert.Contains($"wrote {Path.Combine(dir, "n1.pem")} (private", stdout, StringComparison.Ordinal);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(dir, "n1.pem")));
        var n1 = EventSigning.FromEcdsaKeyDirectory("n1", dir);
        var n2 = EventSigning.FromEcdsaKeyDirectory("n2", dir);
        Assert.Equal(SigningAlgorithm.EcdsaP256Sha256, n1.Algorithm);
        Assert.Equal(["n2"], n1.TrustedKeys.Keys);
        using var signer = new EcdsaEventSigner(n1);
        using var verifier = new EcdsaEventSigner(n2);
        var signed = signer.Sign(new AgentEvent("evt_1", "A", "FINDING", Encoding.UTF8.GetBytes("{}"), VectorClock.Empty));
        Assert.True(verifier.TryVerify(signed, out var keyId, out var reason), reason);
        Assert.Equal("n1", keyId);
    }

    [Fact]
    public void New_DoesNotReplaceAKey_UnlessForced()
    {
        var dir = _cli.Directory("keys");
        CliRun.Run("keys", "new", "--node", "n1", "--out", dir);
        var before = File.ReadAllText(Path.Combine(dir, "n1.pem"));

        var (exit, _, stderr) = CliRun.Run("keys", "new", "--node", "n1", "--out", dir);
        Assert.Equal(1, exit);
        Assert.Contains("n1.pem' exists", stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(Path.Combine(dir, "n1.pem")));

        Assert.Equal(0, CliRun.Run("keys", "new", "--node", "n1", "--out", dir, "--force").Exit);
        Assert.NotEqual(before, File.ReadAllText(Path.Combine(dir, "n1.pem")));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(dir, "n1.pem")));
    }

    [Fact]
    public void New_StoresAVersionedKeyWithAnUnderscore_AndRefusesIdsThatWouldReadBackWrong()
    {
        var dir = _cli.Directory("keys");
        Assert.Equal(0, CliRun.Run("keys", "new", "--node", "n1/v2", "--out", dir).Exit);
        Assert.Equal("n1/v2", EventSigning.FromEcdsaKeyDirectory("n1/v2", dir).KeyId);

        var (exit, _, stderr) = CliRun.Run("keys", "new", "--node", "node_1", "--out", dir);
        Assert.Equal(2, exit);
        Assert.Contains("a node id with '_' would be read back as another", stderr, StringComparison.Ordinal);
        Assert.Equal(2, CliRun.Run("keys", "new", "--node", "a:b", "--out", dir).Exit);
        Assert.Equal(2, CliRun.Run("keys", "new", "--out", dir).Exit);
    }

    [Fact]
    public void NatsUser_WritesASeedFile_AndPrintsItsPublicKey()
    {
        var file = _cli.Output("nats/user.nk");

        var (exit, stdout, _) = CliRun.Run("keys", "nats-user", "--out", file);

        Assert.Equal(0, exit);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(file));
        var lines = File.ReadAllLines(file);
        var printed = stdout.Split('\n').Single(l => l.StartsWith("public key: ", StringComparison.Ordinal))["public key: ".Length..].Trim();
        Assert.StartsWith("U", printed, StringComparison.Ordinal);
        Assert.Equal(printed, lines[0]);
        Assert.Equal(printed, KeyPair.FromSeed(lines[1]).GetPublicKey());
        Assert.DoesNotContain(lines[1], stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownSubCommand_IsAUsageError()
        => Assert.Equal(2, CliRun.Run("keys", "rotate").Exit);
}
