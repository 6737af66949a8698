using Murmur.Agents;
using Murmur.Fleet;
using Murmur.Logs;
using Murmur.Tests.Topics;

namespace Murmur.Tests.Fleet;

/// <summary>
/// A node's announcement lists every agent it owns and goes out with each heartbeat: one that outgrew the log's record
/// limit would be refused, and the live node declared down. So an agent that would not fit is refused up front.
/// </summary>
public sealed class AnnouncementLimitTests
{
    [Fact]
    public async Task ANodeOwnsAgentsOnlyWhileItsAnnouncementFitsTheLogsRecordLimit_AndSaysWhyItRefusesTheNext()
    {
        const int limit = 4096;
        var log = new InMemoryEventLog(maxRecordBytes: limit);
        var seen = new Seen();
        await using var node = await MurmurNode.StartAsync(o => o.UseLog(log).Configure(x => x with { NodeId = "n1" }));
        await using var fleet = await MurmurFleet.StartAsync(node, new FleetOptions { Kinds = new Dictionary<string, Func<OwnedAgent, Agent>> { ["worker"] = _ => new Crashy(seen) } });

        InvalidOperationException? refused = null;
        var owned = 0;
        for (var i = 0; i < 1000 && refused is null; i++)
        {
            try
            {
                await fleet.SpawnAsync(new OwnedAgent($"Worker_{i:D4}", "worker", $"task-{i:D4}", "eventual", "{\"goal\":\"fix the auth_token leak in the login handler\"}"));
                owned++;
            }
            catch (InvalidOperationException ex)
            {
                refused = ex;
            }
        }

        Assert.NotNull(refused);
        Assert.Contains($"cannot own agent 'Worker_{owned:D4}'", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"({owned} now)", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"record limit of {limit} bytes", refused.Message, StringComparison.Ordinal);
        Assert.False(node.Runtime.TryGet($"Worker_{owned:D4}", out _)); // refused before it was spawned
        Assert.Equal(owned, fleet.OwnedAgents.Count);
        Assert.True(owned >= 10, $"only {owned} agents fit in {limit} bytes");
        // What the store holds is the announcement of every owned agent, within the limit; the beats stay a few bytes.
        await using var store = (await log.OpenMembershipStoreAsync())!;
        var records = await store.ReadAllAsync();
        var record = Assert.Single(records, r => r.Node == "n1");
        Assert.True(Assert.Single(records, r => r.Node == "n1=beat").Data.Length < 100);
        Assert.True(record.Data.Length <= limit, $"{record.Data.Length} bytes");
        Assert.Equal(owned, NodeAnnouncement.TryDecode(record, out var problem)!.Agents.Count);
        Assert.Null(problem);
    }
}
