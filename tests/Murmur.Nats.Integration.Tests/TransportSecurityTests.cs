using Murmur.Logs;
using NATS.NKeys;

namespace Murmur.Nats.Integration.Tests;

/// <summary>
/// Transport security passed through to NATS, against real servers that demand it: token, user/password, nkey and
/// TLS with a private CA. The right credentials append and read; the wrong ones are one clear EventLogException.
/// </summary>
public sealed class TransportSecurityTests
{
    private static NatsEventLogOptions Options(int port, string scheme = "nats") => new()
    {
        Url = $"{scheme}://127.0.0.1:{port}",
        StreamName = "MURMUR_SECURED",
        SubjectPrefix = "murmur-secured",
        RequestTimeout = TimeSpan.FromSeconds(3),
    };

    private static async Task AppendAndReadAsync(NatsEventLogOptions options)
    {
        await using var log = await NatsEventLog.ConnectAsync(options);
        var record = new LogRecord($"evt_{Guid.NewGuid():N}", """{"text":"secured"}"""u8.ToArray());
        var position = await log.AppendAsync("t", record);
        await foreach (var entry in log.ReadAsync("t", position))
        {
            Assert.Equal(position, entry.Position);
            return;
        }
        Assert.Fail("the appended record was not read back");
    }

    private static async Task<EventLogException> RefusedAsync(NatsEventLogOptions options)
        => await Assert.ThrowsAsync<EventLogException>(async () => await NatsEventLog.ConnectAsync(options));

    [Fact]
    public async Task Token_TheRightOneConnects_AWrongOneIsRefusedClearly()
    {
        await using var server = await SecuredNatsServer.StartAsync(NatsCluster.Shift(24261), _ => """authorization { token: "s3cret-token-for-tests" }""");

        await AppendAndReadAsync(Options(server.Port) with { Token = "s3cret-token-for-tests" });
        var refused = await RefusedAsync(Options(server.Port) with { Token = "wrong" });

        Assert.StartsWith($"Cannot open the NATS event log at nats://127.0.0.1:{server.Port}", refused.Message, StringComparison.Ordinal);
        Assert.True(refused.Message.Contains("uthorization", StringComparison.Ordinal), refused.Message);
    }

    [Fact]
    public async Task UserAndPassword_TheRightOnesConnect_NoneIsRefusedClearly()
    {
        await using var server = await SecuredNatsServer.StartAsync(NatsCluster.Shift(24262), _ => """authorization { users = [ { user: "murmur", password: "pa55word-for-tests" } ] }""");

        await AppendAndReadAsync(Options(server.Port) with { Username = "murmur", Password = "pa55word-for-tests" });
        var refused = await RefusedAsync(Options(server.Port));

        Assert.True(refused.Message.Contains("uthorization", StringComparison.Ordinal), refused.Message);
    }

    [Fact]
    public async Task NKey_TheSeedFileConnects_AnotherSeedIsRefused()
    {
        var user = KeyPair.CreatePair(PrefixByte.User);
        var stranger = KeyPair.CreatePair(PrefixByte.User);
        await using var server = await SecuredNatsServer.StartAsync(NatsCluster.Shift(24263), _ => $$"""authorization { users = [ { nkey: "{{user.GetPublicKey()}}" } ] }""");
        var seed = Path.Combine(server.Dir, "user.nk");
        await File.WriteAllTextAsync(seed, user.GetPublicKey() + "\n" + user.GetSeed() + "\n");
        var wrong = Path.Combine(server.Dir, "stranger.nk");
        await File.WriteAllTextAsync(wrong, stranger.GetPublicKey() + "\n" + stranger.GetSeed() + "\n");

        await AppendAndReadAsync(Options(server.Port) with { NKeyFile = seed });
        var refused = await RefusedAsync(Options(server.Port) with { NKeyFile = wrong });

        Assert.True(refused.Message.Contains("uthorization", StringComparison.Ordinal), refused.Message);
    }

    [Fact]
    public async Task Tls_WithThePrivateCa_Connects_WithoutItTheServerIsNotTrusted()
    {
        await using var server = await SecuredNatsServer.StartAsync(NatsCluster.Shift(24264), dir =>
        {
            TestPki.WriteTo(dir);
            return TestPki.NatsTlsBlock(dir, verifyClients: false);
        });

        await AppendAndReadAsync(Options(server.Port, "tls") with { RequireTls = true, CaFile = Path.Combine(server.Dir, "ca.pem") });
        var refused = await RefusedAsync(Options(server.Port, "tls") with { RequireTls = true });

        Assert.StartsWith($"Cannot open the NATS event log at tls://127.0.0.1:{server.Port}", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MutualTls_TheClientCertificateConnects_WithoutItTheServerRefuses()
    {
        await using var server = await SecuredNatsServer.StartAsync(NatsCluster.Shift(25310), dir =>
        {
            TestPki.WriteTo(dir);
            return TestPki.NatsTlsBlock(dir, verifyClients: true);
        });
        var trusting = Options(server.Port, "tls") with { RequireTls = true, CaFile = Path.Combine(server.Dir, "ca.pem") };

        await AppendAndReadAsync(trusting with { CertFile = Path.Combine(server.Dir, "client.pem"), KeyFile = Path.Combine(server.Dir, "client-key.pem") });
        var refused = await RefusedAsync(trusting);

        Assert.StartsWith($"Cannot open the NATS event log at tls://127.0.0.1:{server.Port}", refused.Message, StringComparison.Ordinal);
    }
}
