using System.Text.Json;
using Murmur.Agents;
using Murmur.Fleet;

namespace Murmur.Nats.Integration.Tests;

/// <summary>
/// `murmur nodes` against a live fleet on the NATS cluster: a node with seven agents (its list read back from the
/// membership store's chunks) is listed alive, with a count and the first few agents, and `--json` lists them all.
/// </summary>
public sealed class NodesCommandTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    private sealed class Idle : Agent;

    [Fact]
    public async Task Nodes_ListsALiveNodeWithItsAgentCount_AndJsonListsEveryAgent()
    {
        var id = Guid.NewGuid().ToString("N")[..6];
        var stream = $"NODES{id}".ToUpperInvariant();
        var config = Path.Combine(Path.GetTempPath(), $"murmur-{stream.ToLowerInvariant()}.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new { Murmur = new { Log = new { Nats = new { Stream = stream, SubjectPrefix = stream.ToLowerInvariant(), Replicas = 1 } } } }));
        try
        {
            await using (var log = await NatsEventLog.ConnectAsync(NatsCluster.Options(stream, replicas: 1)))
            await using (var node = await MurmurNode.StartAsync(o => o.UseLog(log).Configure(x => x with { NodeId = $"w{id}" })))
            await using (var fleet = await MurmurFleet.StartAsync(node, new FleetOptions { Kinds = new Dictionary<string, Func<OwnedAgent, Agent>> { ["idle"] = _ => new Idle() } }))
            {
                for (var i = 0; i < 7; i++)
                {
                    await fleet.SpawnAsync(new OwnedAgent($"Idle_{i}", "idle", $"work-{i}", "eventual"));
                }

                using var text = OutputProcess.Murmur("nodes", "--log", NatsCluster.Url, "--config", config, "--watch-ms", "4000");
                Assert.Equal(0, await text.WaitForExitAsync(Patience));
                var line = Assert.Single(text.Lines, l => l.StartsWith($"w{id} ", StringComparison.Ordinal));
                Assert.Contains(" alive ", line, StringComparison.Ordinal);
                Assert.Contains("kinds [idle]", line, StringComparison.Ordinal);
                Assert.Contains("agents 7 [Idle_0, Idle_1, Idle_2, Idle_3, Idle_4, … 2 more; --json lists all]", line, StringComparison.Ordinal);

                using var json = OutputProcess.Murmur("nodes", "--log", NatsCluster.Url, "--config", config, "--json");
                Assert.Equal(0, await json.WaitForExitAsync(Patience));
                using var listed = JsonDocument.Parse(Assert.Single(json.Lines, l => l.Contains($"\"node\":\"w{id}\"", StringComparison.Ordinal)));
                Assert.Equal(Enumerable.Range(0, 7).Select(i => $"Idle_{i}"), listed.RootElement.GetProperty("agents").EnumerateArray().Select(a => a.GetString()!).Order(StringComparer.Ordinal));
            }
        }
        finally
        {
            File.Delete(config);
            await NatsCluster.DeleteStreamAsync(stream);
        }
    }
}
