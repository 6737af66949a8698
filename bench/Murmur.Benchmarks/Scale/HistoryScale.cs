using System.Diagnostics;
using Murmur.Agents;
using Murmur.Benchmarks.Log;
using Murmur.Benchmarks.Runtime;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Nats;

namespace Murmur.Benchmarks.Scale;

/// <summary>
/// One long-running topic: 3 agents exchange events continuously; at each checkpoint (10k, 100k, 1M events; quick:
/// 10k, 50k, 200k) the exchange pauses and the node's live heap above its baseline is measured after a full GC.
/// Over NATS the log lives in the servers, so the figure is the node's alone; with the embedded log the log's own
/// records (measured apart, per event) are subtracted.
/// </summary>
internal static class HistoryScale
{
    private const int Members = 3;

    public static async Task RunAsync(BenchContext context)
    {
        long[] checkpoints = context.Quick ? [10_000, 50_000, 200_000] : [10_000, 100_000, 1_000_000];
        await RunMemoryAsync(context, checkpoints).ConfigureAwait(false);
        await using var servers = await NatsServers.StartAsync(1, 34261, 36261, 38261, jetStream: true).ConfigureAwait(false);
        await RunAsync(context, "nats", checkpoints, o => o.UseNats(NatsEventLogOptions.Default with { Url = servers.Url, Storage = NatsStorage.Memory }), 0).ConfigureAwait(false);
    }

    private static async Task RunMemoryAsync(BenchContext context, long[] checkpoints)
    {
        var perEvent = await LogBytesPerEventAsync().ConfigureAwait(false);
        context.Report("scale", "murmur", "log_bytes_per_event", perEvent, "B", ("log", "memory"));
        await RunAsync(context, "memory", checkpoints, o => o.UseInMemoryLog(), perEvent).ConfigureAwait(false);
    }

    private static async Task RunAsync(BenchContext context, string logName, long[] checkpoints, Action<MurmurNodeBuilder> configure, double logBytesPerEvent)
    {
        Measure.FullCollect();
        await using var node = await MurmurNode.StartAsync(o =>
        {
            configure(o);
            o.Configure(x => x with { NodeId = "history" });
        }).ConfigureAwait(false);
        ScaleCounters.Reset();
        var topic = await node.OpenTopicAsync("long-running", Murmur.Topics.Consistency.Eventual).ConfigureAwait(false);
        var agents = new AgentRef[Members];
        for (var i = 0; i < Members; i++)
        {
            agents[i] = await node.SpawnAsync($"chatter_{i}", static () => new ChatterAgent(), topic).ConfigureAwait(false);
        }
        long joins = Members * Members;
        await Measure.WaitUntilAsync(() => ScaleCounters.Handed >= joins, TimeSpan.FromMinutes(1), "joins").ConfigureAwait(false);
        var baseline = Measure.LiveBytes();
        var start = Stopwatch.GetTimestamp();
        foreach (var checkpoint in checkpoints)
        {
            ScaleCounters.SetBudget(checkpoint);
            agents[0].Send(ChatterAgent.Kick);
            await Measure.WaitUntilAsync(() => ScaleCounters.Published >= checkpoint && ScaleCounters.Handed >= joins + (checkpoint * Members),
                TimeSpan.FromMinutes(30), $"{checkpoint} events").ConfigureAwait(false);
            var elapsed = Measure.Seconds(start);
            var live = Measure.LiveBytes() - baseline - (long)(logBytesPerEvent * checkpoint);
            context.Report("scale", "murmur", "retained_mib", live / 1048576.0, "MiB", ("log", logName), ("n", checkpoint));
            context.Report("scale", "murmur", "retained_bytes_per_event", (double)live / checkpoint, "B", ("log", logName), ("n", checkpoint));
            context.Report("scale", "murmur", "events_per_second", checkpoint / elapsed, "1/s", ("log", logName), ("n", checkpoint));
        }
    }

    /// <summary>The embedded log's own heap per record, for records like the exchange's (measured on a log alone).</summary>
    private static async Task<double> LogBytesPerEventAsync()
    {
        const int count = 100_000;
        await using var node = await MurmurNode.StartAsync().ConfigureAwait(false);
        var sample = new AgentEvent("evt_0123456789abcdef", "chatter_1", Actions.Message,
            System.Text.Encoding.UTF8.GetBytes("{\"text\":\"a short message of forty-odd bytes\"}"), VectorClock.FromEntries([123456, 123457, 123458]))
        {
            Topic = "long-running",
            Timestamp = 1_790_000_000_000,
        };
        var data = AgentEventCodec.Encode(sample);
        var baseline = Measure.LiveBytes();
        var log = new InMemoryEventLog();
        for (var i = 0; i < count; i++)
        {
            await log.AppendAsync("long-running", new LogRecord($"evt_{i:x16}", data)).ConfigureAwait(false);
        }
        var bytes = Measure.LiveBytes() - baseline;
        GC.KeepAlive(log);
        return (double)bytes / count;
    }
}
