using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Murmur.AI.Events;
using Murmur.Agents;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Hosting;
using Murmur.Logs;
using Murmur.Security;
using NATS.NKeys;

namespace Murmur.Nats.Integration.Tests;

/// <summary>
/// A generic-host worker configured only by appsettings.json and MURMUR__ environment variables — no log, key or
/// credential in code — against a nats-server that demands an nkey over TLS: it connects, signs what it appends and
/// refuses what is not signed.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HostedSecureWorkerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    /// <summary>Reports a finding when it starts.</summary>
    private sealed class Announcer : Agent
    {
        protected override async ValueTask OnStartedAsync(CancellationToken cancellationToken)
            => await Topics[0].PublishAsync(AiActions.Finding, new { text = "auth_token in login.py" }, cancellationToken: cancellationToken);
    }

    private sealed record Worker(IHost Host, RecordingLoggerFactory Logs, MurmurNodeAccessor Murmur);

    private static void WriteKeyPair(string dir, string keyId)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(Path.Combine(dir, keyId + ".pem"), key.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(Path.Combine(dir, keyId + ".pem"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(Path.Combine(dir, keyId + ".pub.pem"), key.ExportSubjectPublicKeyInfoPem());
    }

    /// <summary>Builds a worker whose content root holds <paramref name="appsettings"/>, with <paramref name="environment"/> set while the host reads its configuration.</summary>
    private static Worker Build(string contentRoot, string appsettings, Dictionary<string, string> environment)
    {
        File.WriteAllText(Path.Combine(contentRoot, "appsettings.json"), appsettings);
        foreach (var (name, value) in environment)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = contentRoot, Args = [] });
            var logs = new RecordingLoggerFactory(LogLevel.Information);
            builder.Services.AddSingleton<ILoggerFactory>(logs);
            builder.Services.AddMurmur().AddAgent<Announcer>("Announcer", "chat");
            var host = builder.Build();
            return new Worker(host, logs, host.Services.GetRequiredService<MurmurNodeAccessor>());
        }
        finally
        {
            // The test assembly runs one test at a time; no other test sees these variables.
            foreach (var name in environment.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    private static async Task<(SecuredNatsServer Server, string NKeyFile)> StartServerAsync(int port)
    {
        var user = KeyPair.CreatePair(PrefixByte.User);
        var server = await SecuredNatsServer.StartAsync(port, dir =>
        {
            TestPki.WriteTo(dir);
            return $$"""
                {{TestPki.NatsTlsBlock(dir, verifyClients: false)}}
                authorization { users = [ { nkey: "{{user.GetPublicKey()}}" } ] }
                """;
        });
        var nkey = Path.Combine(server.Dir, "worker.nk");
        await File.WriteAllTextAsync(nkey, user.GetPublicKey() + "\n" + user.GetSeed() + "\n");
        return (server, nkey);
    }

    private static string AppSettings(SecuredNatsServer server, string stream, string signing) => $$"""
        {
          "Murmur": {
            "Log": {
              "Url": "nats://127.0.0.1:{{server.Port}}",
              "Nats": { "Stream": "{{stream}}" },
              "Tls": { "CaFile": "{{Path.Combine(server.Dir, "ca.pem")}}" }
            },
            "Signing": { {{signing}} },
            "Topics": [ { "Name": "chat", "Consistency": "Eventual" } ]
          }
        }
        """;

    [Fact]
    public async Task AWorkerConfiguredByAppsettingsAndEnvironment_Connects_Signs_AndRefusesUnsignedEvents()
    {
        var (server, nkey) = await StartServerAsync(NatsCluster.Shift(25302));
        await using var _ = server;
        var keys = Directory.CreateDirectory(Path.Combine(server.Dir, "keys")).FullName;
        WriteKeyPair(keys, "worker-1");
        WriteKeyPair(keys, "worker-2");
        var worker = Build(server.Dir, AppSettings(server, "HOSTED", $"\"TrustedKeys\": \"{keys}\""), new()
        {
            ["MURMUR__LOG__NATS__NKEYFILE"] = nkey,
            ["MURMUR__SIGNING__KEYFILE"] = Path.Combine(keys, "worker-1.pem"),
        });
        using var host = worker.Host;

        await host.StartAsync().WaitAsync(Patience);
        var node = worker.Murmur.Node;
        var chat = worker.Murmur.GetTopic("chat");
        var finding = await chat.WaitForEventAsync(e => e.Action == AiActions.Finding).WaitAsync(Patience);

        Assert.Equal("worker-1", node.NodeId);
        Assert.Contains(worker.Logs.Lines, l => l.Contains($"Murmur node worker-1: log nats://127.0.0.1:{server.Port} (stream HOSTED, 1 replica(s); nkey, TLS); events signed with ECDSA P-256 key 'worker-1', 1 other key(s) trusted, unsigned events refused", StringComparison.Ordinal));
        Assert.DoesNotContain(worker.Logs.Lines, l => l.Contains(" Warning ", StringComparison.Ordinal));

        // What the worker appended is signed: another node, holding only the worker's public key, verifies it from the log.
        await using var reader = await NatsEventLog.ConnectAsync(new NatsEventLogOptions
        {
            Url = $"nats://127.0.0.1:{server.Port}",
            StreamName = "HOSTED",
            NKeyFile = nkey,
            RequireTls = true,
            CaFile = Path.Combine(server.Dir, "ca.pem"),
        });
        LogEntry? stored = null;
        await foreach (var entry in reader.ReadAsync("chat", 1))
        {
            stored = entry.EventId == finding.EventId ? entry : stored;
        }
        Assert.NotNull(stored);
        Assert.True(AgentEventCodec.TryDecode(stored.Value.Data.Span, null, null, out var fromLog, out var error), error?.ToString());
        Assert.StartsWith("worker-1:", fromLog!.Signature, StringComparison.Ordinal);
        using var other = new EcdsaEventSigner(EventSigning.FromEcdsaKeyDirectory("worker-2", keys));
        Assert.True(other.TryVerify(fromLog, out var keyId, out var reason), reason);
        Assert.Equal("worker-1", keyId);

        // An unsigned event written as the worker's agent, with valid transport credentials, is a dead letter.
        var forged = new AgentEvent("evt_forged_hosted", "Announcer", Actions.TaskComplete, Encoding.UTF8.GetBytes("{}"), VectorClock.FromEntries(5)) { Topic = "chat" };
        var position = await reader.AppendAsync("chat", new LogRecord(forged.EventId, AgentEventCodec.Encode(forged)));
        await chat.CatchUpAsync().WaitAsync(Patience);

        var dead = Assert.Single(node.DeadLetters.Items, d => d.EventId == forged.EventId);
        Assert.Equal(position, dead.Position);
        Assert.Equal("signature: the event is unsigned and this node requires signed events", dead.Reason);
        Assert.DoesNotContain(chat.History, e => e.EventId == forged.EventId);
        await host.StopAsync().WaitAsync(Patience);
    }

    [Fact]
    public async Task AWorkerWithoutKeys_SaysOnceThatItsEventsAreNotSigned()
    {
        var (server, nkey) = await StartServerAsync(NatsCluster.Shift(25303));
        await using var _ = server;
        var worker = Build(server.Dir, AppSettings(server, "HOSTED_OPEN", ""), new() { ["MURMUR__LOG__NATS__NKEYFILE"] = nkey });
        using var host = worker.Host;

        await host.StartAsync().WaitAsync(Patience);
        await worker.Murmur.GetTopic("chat").WaitForEventAsync(e => e.Action == AiActions.Finding).WaitAsync(Patience);

        var warning = Assert.Single(worker.Logs.Lines, l => l.Contains(" Warning ", StringComparison.Ordinal));
        Assert.Contains($"Murmur node {worker.Murmur.Node.NodeId}: events are not signed: anyone who can append to the log can write events as any agent; turn signing on with --sign-key", warning, StringComparison.Ordinal);
        await host.StopAsync().WaitAsync(Patience);
    }
}
