using System.Text.RegularExpressions;

namespace Murmur.Nats.Integration.Tests;

/// <summary>
/// A secured mesh as a person runs it: a nats-server that demands an nkey and a client certificate over TLS (a CA made
/// here), keys made with 'murmur keys', two signing 'murmur node's and 'murmur task start --wait'. A third process
/// with valid transport credentials but no trusted signing key writes events as existing agents: every node refuses
/// them as dead letters and the task's outcome is the one the signed agents produced.
/// </summary>
public sealed partial class SecureMeshCliTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [GeneratedRegex(@"^forged (\S+) (\d+) (\S+)$")]
    private static partial Regex Forged();

    private static async Task<string> RunAsync(params string[] args)
    {
        using var process = OutputProcess.Murmur(args);
        var exit = await process.WaitForExitAsync(Patience);
        Assert.True(exit == 0, $"murmur {string.Join(' ', args)} exited with {exit}:\n{process.Output}");
        return process.Output;
    }

    [Fact]
    public async Task SignedNodes_FinishTheTask_AndEveryNodeRefusesAForgerWithValidTransportCredentials()
    {
        var id = Guid.NewGuid().ToString("N")[..6];
        string researcherNode = $"r{id}", coderNode = $"c{id}", operatorNode = $"ops{id}";
        var dir = Directory.CreateTempSubdirectory("murmur-secure-mesh-").FullName;
        try
        {
            // Transport credentials: one nkey for the mesh's processes, a client certificate from the test's CA.
            var nkey = Path.Combine(dir, "mesh.nk");
            var userKey = Regex.Match(await RunAsync("keys", "nats-user", "--out", nkey), "public key: (U[A-Z0-9]+)").Groups[1].Value;
            await using var server = await SecuredNatsServer.StartAsync(NatsCluster.Shift(25301), serverDir =>
            {
                TestPki.WriteTo(serverDir);
                return $$"""
                    {{TestPki.NatsTlsBlock(serverDir, verifyClients: true)}}
                    authorization { users = [ { nkey: "{{userKey}}" } ] }
                    """;
            });
            // Signing keys: each node holds its private key; everyone trusts the public keys in one directory.
            var trusted = Directory.CreateDirectory(Path.Combine(dir, "trusted")).FullName;
            foreach (var node in new[] { researcherNode, coderNode, operatorNode })
            {
                await RunAsync("keys", "new", "--node", node, "--out", Path.Combine(dir, node));
                File.Copy(Path.Combine(dir, node, node + ".pub.pem"), Path.Combine(trusted, node + ".pub.pem"));
            }
            var config = Path.Combine(dir, "secure.json");
            await File.WriteAllTextAsync(config, $$"""
                {
                  "Murmur": {
                    "Log": {
                      "Url": "tls://127.0.0.1:{{server.Port}}",
                      "Nats": { "NKeyFile": "{{nkey}}" },
                      "Tls": { "CaFile": "{{Path.Combine(server.Dir, "ca.pem")}}", "CertFile": "{{Path.Combine(server.Dir, "client.pem")}}", "KeyFile": "{{Path.Combine(server.Dir, "client-key.pem")}}" }
                    },
                    "Signing": { "TrustedKeys": "{{trusted}}" }
                  }
                }
                """);
            string[] Signed(string node) => ["--config", config, "--sign-key", Path.Combine(dir, node, node + ".pem")];

            using var researcher = OutputProcess.Murmur(["node", "--agents", "researcher", "--root", MeshCliTests.ExampleTree(), .. Signed(researcherNode)]);
            using var coder = OutputProcess.Murmur(["node", "--agents", "coder,reviewer", "--root", MeshCliTests.ExampleTree(), .. Signed(coderNode)]);
            foreach (var node in new[] { researcher, coder })
            {
                await node.WaitForLineAsync(l => l.Contains("waiting for tasks", StringComparison.Ordinal), Patience);
                Assert.Contains("nkey, TLS with client certificate); events signed with ECDSA P-256", node.Output, StringComparison.Ordinal);
                Assert.DoesNotContain("warning", node.Output, StringComparison.Ordinal);
            }
            using var forger = OutputProcess.TestNode("forge", $"tls://127.0.0.1:{server.Port}", nkey, Path.Combine(server.Dir, "ca.pem"),
                Path.Combine(server.Dir, "client.pem"), Path.Combine(server.Dir, "client-key.pem"));
            await forger.WaitForLineAsync(l => l == "ready", Patience);

            using var task = OutputProcess.Murmur(["task", "start", "fix the auth_token leaks", "--researchers", "1", "--wait", "90", .. Signed(operatorNode)]);
            Assert.True(await task.WaitForExitAsync(Patience) == 0, $"task start failed:\n{task.Output}\nresearcher:\n{researcher.Output}\ncoder:\n{coder.Output}\nforger:\n{forger.Output}");
            Assert.True(await forger.WaitForExitAsync(Patience) == 0, forger.Output);

            var forged = forger.Lines.Select(l => Forged().Match(l)).Where(m => m.Success).Select(m => (Topic: m.Groups[1].Value, Position: m.Groups[2].Value, EventId: m.Groups[3].Value)).ToList();
            Assert.Equal(4, forged.Count);
            var taskTopic = forged[1].Topic;
            // The outcome: the signed coder's work, reviewed, and nothing the forger wrote.
            var taskLines = task.Lines;
            Assert.Contains(taskLines, l => l.StartsWith($"task ", StringComparison.Ordinal) && l.EndsWith(" done", StringComparison.Ordinal));
            Assert.Contains(taskLines, l => l.StartsWith($"Coder_{coderNode}_", StringComparison.Ordinal) && l.Contains("PROPOSAL", StringComparison.Ordinal));
            Assert.Contains(taskLines, l => l.StartsWith($"Reviewer_{coderNode}_", StringComparison.Ordinal) && l.Contains("REVIEW", StringComparison.Ordinal));
            Assert.Single(taskLines, l => l.Contains("TASK_COMPLETE", StringComparison.Ordinal) && l.StartsWith("Coder", StringComparison.Ordinal));
            Assert.DoesNotContain("forged", task.Output, StringComparison.Ordinal);

            // Every node refuses each forged event of the task's topic as a dead letter, with the signature's reason …
            var reasons = new[]
            {
                "signature: the event is unsigned and this node requires signed events",
                $"signature: the ECDSA signature does not match the event's content under key '{researcherNode}'",
                "signature: the key 'forger' is not trusted by this node",
            };
            foreach (var node in new[] { researcher, coder })
            {
                for (var i = 0; i < 3; i++)
                {
                    var (topic, position, _) = forged[i + 1];
                    await node.WaitForLineAsync(l => l.Contains($"Refused an event of topic {topic} at position {position}: {reasons[i]}", StringComparison.Ordinal), Patience);
                }
                // … and the forged task announcement, which no node joins.
                await node.WaitForLineAsync(l => l == $"control topic position {forged[0].Position}: refused: {reasons[0]}", TimeSpan.FromSeconds(30));
                Assert.DoesNotContain("task f0f0f0f0", node.Output, StringComparison.Ordinal);
            }

            // The dead letters, listed by any holder of a trusted key.
            var deadLetters = await RunAsync(["log", "dead-letters", "--topic", taskTopic, .. Signed(operatorNode)]);
            foreach (var (_, position, eventId) in forged.Skip(1))
            {
                Assert.Contains($"\"position\":{position},\"event_id\":\"{eventId}\"", deadLetters, StringComparison.Ordinal);
            }
            Assert.Contains("3 refused", deadLetters, StringComparison.Ordinal);

            // A process with transport credentials but no signing key is told, once, that it runs open.
            var open = await RunAsync("log", "tail", "--topic", taskTopic, "--no-follow", "--config", config);
            Assert.Single(open.Split('\n'), l => l.StartsWith("murmur log: warning: events are not signed", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
