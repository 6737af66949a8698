using Murmur.Agents;
using Murmur.Benchmarks.Runtime;
using Murmur.Logs;

namespace Murmur.Benchmarks.Scale;

/// <summary>
/// N topics × 3 working agents on one node with the embedded log: each agent joins, publishes one FINDING and is
/// handed the others' events. Reports the live heap per topic and per member after a full GC (the node, its agents and
/// the embedded log together), and, measured apart, how much of it the embedded log's own records take.
/// </summary>
internal static class TopicsScale
{
    private const int Members = 3;

    public static async Task RunAsync(BenchContext context)
    {
        var n = context.Quick ? 10_000 : 100_000;
        await RunOnceAsync(500, null).ConfigureAwait(false); // warm-up: same code, its own node
        await RunOnceAsync(n, context).ConfigureAwait(false);
    }

    private static async Task RunOnceAsync(int n, BenchContext? context)
    {
        Measure.FullCollect();
        var log = new InMemoryEventLog();
        var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog(log).Configure(x => x with { NodeId = "scale" })).ConfigureAwait(false);
        var refs = new AgentRef[n * Members];
        ScaleCounters.Reset();
        var baseline = Measure.LiveBytes();
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var topic = await node.OpenTopicAsync($"t{i}", Murmur.Topics.Consistency.Eventual, ct).ConfigureAwait(false);
            for (var a = 0; a < Members; a++)
            {
                refs[(i * Members) + a] = await node.SpawnAsync($"t{i}_agent_{a}", static () => new OnceAgent(), topic, cancellationToken: ct).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
        // Every member is handed every member's JOIN and FINDING.
        long expected = (long)n * Members * Members * 2;
        await Measure.WaitUntilAsync(() => ScaleCounters.Handed >= expected, TimeSpan.FromMinutes(10), $"{n} topics to settle").ConfigureAwait(false);
        var seconds = Measure.Seconds(start);
        var live = Measure.LiveBytes() - baseline;
        if (context is not null)
        {
            var logBytes = await LogShareAsync(log, n).ConfigureAwait(false);
            context.Report("scale", "murmur", "bytes_per_topic", (double)live / n, "B", ("log", "memory"), ("n", n), ("members", Members));
            context.Report("scale", "murmur", "bytes_per_member", (double)live / (n * Members), "B", ("log", "memory"), ("n", n));
            context.Report("scale", "murmur", "log_bytes_per_topic", (double)logBytes / n, "B", ("log", "memory"), ("n", n));
            context.Report("scale", "murmur", "setup_seconds", seconds, "s", ("log", "memory"), ("n", n));
            HeapDump.CollectIfAsked("topics");
        }
        GC.KeepAlive(refs);
        await node.DisposeAsync().ConfigureAwait(false);
        await log.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The live heap of a fresh embedded log holding the same records: the log's share of the total.</summary>
    private static async Task<long> LogShareAsync(InMemoryEventLog source, int n)
    {
        var baseline = Measure.LiveBytes();
        var copy = new InMemoryEventLog();
        for (var i = 0; i < n; i++)
        {
            await foreach (var entry in source.ReadAsync($"t{i}").ConfigureAwait(false))
            {
                await copy.AppendAsync($"t{i}", new LogRecord(new string(entry.EventId), entry.Data.ToArray())).ConfigureAwait(false);
            }
        }
        var bytes = Measure.LiveBytes() - baseline;
        GC.KeepAlive(copy);
        return bytes;
    }
}
