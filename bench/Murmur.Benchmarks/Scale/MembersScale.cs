using System.Diagnostics;
using Murmur.Agents;
using Murmur.Benchmarks.Runtime;

namespace Murmur.Benchmarks.Scale;

/// <summary>
/// One topic with many members: the time to set up N members (each joined and handed every JOIN), the heap per member,
/// and the time to deliver a burst of one event from each member to all members.
/// </summary>
internal static class MembersScale
{
    public static async Task RunAsync(BenchContext context)
    {
        await RunOnceAsync(50, null).ConfigureAwait(false);
        await RunOnceAsync(1_000, context).ConfigureAwait(false);
    }

    private static async Task RunOnceAsync(int n, BenchContext? context)
    {
        Measure.FullCollect();
        await using var node = await MurmurNode.StartAsync(o => o.Configure(x => x with { NodeId = "members" })).ConfigureAwait(false);
        var refs = new AgentRef[n];
        ScaleCounters.Reset();
        var baseline = Measure.LiveBytes();
        var start = Stopwatch.GetTimestamp();
        var topic = await node.OpenTopicAsync("crowd", Murmur.Topics.Consistency.Eventual).ConfigureAwait(false);
        for (var i = 0; i < n; i++)
        {
            refs[i] = await node.SpawnAsync($"member_{i}", static () => new KickAgent(), topic).ConfigureAwait(false);
        }
        long joins = (long)n * n;
        await Measure.WaitUntilAsync(() => ScaleCounters.Handed >= joins, TimeSpan.FromMinutes(10), $"{n} members to join").ConfigureAwait(false);
        var setup = Measure.Seconds(start);
        var live = Measure.LiveBytes() - baseline;
        start = Stopwatch.GetTimestamp();
        foreach (var agent in refs)
        {
            agent.Send(ChatterAgent.Kick);
        }
        await Measure.WaitUntilAsync(() => ScaleCounters.Handed >= 2 * joins, TimeSpan.FromMinutes(10), $"a burst to {n} members").ConfigureAwait(false);
        var burst = Measure.Seconds(start);
        if (context is not null)
        {
            context.Report("scale", "murmur", "setup_seconds", setup, "s", ("log", "memory"), ("n", n), ("shape", "members"));
            context.Report("scale", "murmur", "bytes_per_member", (double)live / n, "B", ("log", "memory"), ("n", n), ("shape", "members"));
            context.Report("scale", "murmur", "burst_seconds", burst, "s", ("log", "memory"), ("n", n), ("shape", "members"));
            HeapDump.CollectIfAsked("members");
        }
    }
}
