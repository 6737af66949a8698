using System.Diagnostics;
using Murmur.Agents;
using Murmur.Benchmarks.Runtime;
using Murmur.Logs;

namespace Murmur.Benchmarks.Scale;

/// <summary>
/// A restarted node rejoining a long topic: 3 agents exchange N events (1M; quick 200k) on the embedded log, their node
/// stops, and a new node (same id) on the same log opens the topic and respawns one of them; measured until that agent
/// is live again. The agents take snapshots (every 1,000 events, the default), so the node resumes the topic from its
/// checkpoint and the agent from its snapshot: it is handed only the tail.
/// </summary>
internal static class RebuildScale
{
    private const int Members = 3;

    public static async Task RunAsync(BenchContext context)
    {
        var n = context.Quick ? 200_000L : 1_000_000L;
        var log = new InMemoryEventLog();
        await using (var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog(log).Configure(x => x with { NodeId = "before" })).ConfigureAwait(false))
        {
            ScaleCounters.Reset(n);
            var topic = await node.OpenTopicAsync("long-running", Murmur.Topics.Consistency.Eventual).ConfigureAwait(false);
            var agents = new AgentRef[Members];
            for (var i = 0; i < Members; i++)
            {
                agents[i] = await node.SpawnAsync($"chatter_{i}", static () => new ChatterAgent(), topic).ConfigureAwait(false);
            }
            agents[0].Send(ChatterAgent.Kick);
            await Measure.WaitUntilAsync(() => ScaleCounters.Handed >= (Members * Members) + (n * Members), TimeSpan.FromMinutes(30), $"{n} events").ConfigureAwait(false);
        }
        string last = "";
        await foreach (var entry in log.ReadAsync("long-running", await log.GetEndPositionAsync("long-running").ConfigureAwait(false)).ConfigureAwait(false))
        {
            last = entry.EventId;
        }
        Measure.FullCollect();
        ScaleCounters.Reset(0);
        ScaleCounters.WatchFor(last);
        var start = Stopwatch.GetTimestamp();
        await using var restarted = await MurmurNode.StartAsync(o => o.UseInMemoryLog(log).Configure(x => x with { NodeId = "before" })).ConfigureAwait(false);
        var reopened = await restarted.OpenTopicAsync("long-running", Murmur.Topics.Consistency.Eventual).ConfigureAwait(false);
        await restarted.SpawnAsync("chatter_0", static () => new ChatterAgent(), reopened).ConfigureAwait(false);
        await Measure.WaitUntilAsync(() => ScaleCounters.Seen, TimeSpan.FromMinutes(10), "the rebuild").ConfigureAwait(false);
        var seconds = Measure.Seconds(start);
        context.Report("scale", "murmur", "rebuild_seconds", seconds, "s", ("log", "memory"), ("n", n), ("handed", ScaleCounters.Handed), ("read_from_log", n + Members - reopened.Trimmed));
        await log.DisposeAsync().ConfigureAwait(false);
    }
}
