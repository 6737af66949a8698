using Murmur.Agents;
using Murmur.Fleet;
using Murmur.Logs;
using Murmur.Tests.Topics;
using Xunit.Abstractions;

namespace Murmur.Tests.Fleet;

/// <summary>
/// A node's agent list is kept in the store in chunks under keys of their own: a spawn rewrites one chunk, not the
/// whole list (O(N) bytes for N spawns, not O(N²)), no record outgrows the log's limit however many agents a node owns,
/// and another node puts the list back together to take the agents over.
/// </summary>
public sealed class AgentChunkTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>An in-memory log whose membership store counts the bytes and records written under a node's keys (its beats aside).</summary>
    private sealed class MeteredLog(IEventLog inner, string node) : DelegatingEventLog(inner)
    {
        private long _bytes;
        private int _largest;

        public long Bytes => Interlocked.Read(ref _bytes);

        public int Largest => Volatile.Read(ref _largest);

        public override async ValueTask<IMembershipStore?> OpenMembershipStoreAsync(CancellationToken cancellationToken = default)
            => await base.OpenMembershipStoreAsync(cancellationToken) is { } store ? new Store(store, this) : null;

        private void Count(string key, int length)
        {
            if (key.StartsWith(node, StringComparison.Ordinal) && !key.EndsWith("=beat", StringComparison.Ordinal))
            {
                Interlocked.Add(ref _bytes, length);
                int seen;
                while (length > (seen = Volatile.Read(ref _largest)) && Interlocked.CompareExchange(ref _largest, length, seen) != seen)
                {
                }
            }
        }

        private sealed class Store(IMembershipStore inner, MeteredLog log) : DelegatingMembershipStore(inner)
        {
            public override ValueTask PublishAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
            {
                log.Count(key, data.Length);
                return base.PublishAsync(key, data, cancellationToken);
            }
        }
    }

    private static OwnedAgent Agent(int i, int specBytes = 40)
        => new($"Worker_{i:D4}", "worker", $"task-{i:D4}", "eventual", $"{{\"goal\":\"{new string('x', specBytes)}\"}}");

    [Fact]
    public async Task ANodeOwnsMoreAgentsThanOneRecordHolds_EachSpawnWritesOneChunk_AndTheListReadsBackWhole()
    {
        const int limit = 4096;
        const int agents = 300;
        var inner = new InMemoryEventLog(maxRecordBytes: limit);
        var log = new MeteredLog(inner, "n1");
        var seen = new Seen();
        await using var node = await MurmurNode.StartAsync(o => o.UseLog(log).Configure(x => x with { NodeId = "n1" }));
        await using var fleet = await MurmurFleet.StartAsync(node, new FleetOptions { Kinds = new Dictionary<string, Func<OwnedAgent, Agent>> { ["worker"] = _ => new Crashy(seen) } });
        var before = log.Bytes;

        for (var i = 0; i < agents; i++)
        {
            await fleet.SpawnAsync(Agent(i)); // one by one: each returns once the store lists it
        }

        // The whole list is about 300 × 105 bytes: rewritten whole at each spawn that would be ~4.7 MB; in chunks of at
        // most one record each spawn writes one chunk (and the announcement when a chunk is added).
        var written = log.Bytes - before;
        Assert.True(log.Largest <= limit, $"a record of {log.Largest} bytes");
        Assert.True(written < agents * (long)limit, $"{written} bytes written for {agents} spawns");
        await using var store = (await inner.OpenMembershipStoreAsync())!;
        var records = await store.ReadAllAsync();
        Assert.All(records, r => Assert.True(r.Data.Length <= limit, $"{r.Node}: {r.Data.Length} bytes"));
        var announcement = AgentChunk.Read(records, "n1")!;
        Assert.True(announcement.Chunks >= 8, $"{announcement.Chunks} chunks");
        output.WriteLine($"{agents} spawns one by one wrote {written} bytes under n1's keys; {announcement.Chunks} chunks, largest record {log.Largest} bytes");
        Assert.Equal(agents, announcement.Agents.Count);
        Assert.Equal(Enumerable.Range(0, agents).Select(i => $"Worker_{i:D4}"), announcement.Agents.Select(a => a.Agent).Order(StringComparer.Ordinal));
        Assert.True(NodeAnnouncement.TryDecode(Assert.Single(records, r => r.Node == "n1"), out _)!.Agents.Count == 0); // the announcement itself stays small

        // A stopped agent leaves its chunk; the next spawn takes the room it left.
        Assert.True(node.Runtime.TryGet("Worker_0000", out var first));
        var stopped = fleet.OwnedAgents.Count - 1;
        await node.Runtime.StopAsync(first!);
        await fleet.SpawnAsync(Agent(agents));
        var after = AgentChunk.Read(await store.ReadAllAsync(), "n1")!;
        Assert.Equal(agents, after.Agents.Count);
        Assert.DoesNotContain("Worker_0000", after.Agents.Select(a => a.Agent));
        Assert.Equal(announcement.Chunks, after.Chunks);
        Assert.Equal(stopped + 1, fleet.OwnedAgents.Count);
    }

    [Fact]
    public async Task AnAgentWhoseEntryAloneOutgrowsARecord_IsRefusedBeforeItIsSpawned_AndSaysWhy()
    {
        const int limit = 4096;
        var log = new InMemoryEventLog(maxRecordBytes: limit);
        await using var node = await MurmurNode.StartAsync(o => o.UseLog(log).Configure(x => x with { NodeId = "n1" }));
        await using var fleet = await MurmurFleet.StartAsync(node, new FleetOptions { Kinds = new Dictionary<string, Func<OwnedAgent, Agent>> { ["worker"] = _ => new Crashy(new Seen()) } });

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => fleet.SpawnAsync(Agent(1, specBytes: 5000)));

        Assert.Contains("cannot own agent 'Worker_0001'", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"record limit of {limit} bytes", refused.Message, StringComparison.Ordinal);
        Assert.False(node.Runtime.TryGet("Worker_0001", out _));
        Assert.Empty(fleet.OwnedAgents);
        await fleet.SpawnAsync(Agent(2)); // a small one still fits
        Assert.Single(fleet.OwnedAgents);
    }

    [Fact]
    public async Task ADeadNodesAgentsInSeveralChunks_AreAllTakenOver()
    {
        const int agents = 40;
        await using var h = new FleetHarness();
        var (a, fleetA, linkA) = await h.StartAsync("a");
        var (_, fleetB, _) = await h.StartAsync("b");
        for (var i = 0; i < agents; i++)
        {
            await fleetA.SpawnAsync(new OwnedAgent($"Worker_{i:D2}", "worker", "work", "eventual", new string('s', 1000))); // ~15 per 16 KB chunk
        }
        await h.AdvanceAsync(TimeSpan.FromSeconds(3));
        var listed = fleetB.Members.Single(m => m.Announcement.Node == "a").Announcement;
        Assert.True(listed.Chunks >= 3, $"{listed.Chunks} chunks");
        Assert.Equal(agents, listed.Agents.Count);

        var taken = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fleetB.AgentTakenOver += (_, _) =>
        {
            if (Interlocked.Increment(ref taken) == agents)
            {
                all.TrySetResult();
            }
        };
        linkA.Cut();
        await a.DisposeAsync();
        await h.AdvanceUntilAsync(all.Task, TimeSpan.FromSeconds(30), $"all {agents} agents taken over");

        Assert.Equal(Enumerable.Range(0, agents).Select(i => $"Worker_{i:D2}"), fleetB.OwnedAgents.Select(x => x.Agent).Order(StringComparer.Ordinal));
        Assert.Equal(fleetA.Incarnation, fleetB.Members.Single(m => m.Announcement.Node == "a").Announcement.Incarnation);
    }
}
