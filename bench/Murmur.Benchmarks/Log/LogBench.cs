using System.Diagnostics;
using System.Globalization;
using Murmur.Logs;
using Murmur.Nats;

namespace Murmur.Benchmarks.Log;

/// <summary>
/// Append-and-deliver on the event log: one appender writes a topic while one follower reads the same topic
/// (<c>ReadAsync(follow: true)</c>). Latency = append start → the follower sees the record; throughput = records /
/// (first append start → the follower sees the last one). Systems: the in-memory log and NATS JetStream with 1 and 3
/// replicas (file storage) on a 3-server loopback cluster that this bench starts and stops itself (ports 34221–34223,
/// 36221–36223, 38221–38223). Modes: awaited (one AppendAsync at a time), batched (one AppendBatchAsync of 100 at a
/// time) and pipelined (4 such batches in flight). The appender does not wait for the follower, so when it outruns
/// the follower the latency includes the follower's backlog. One stream per case, so each follower reads only its topic.
/// </summary>
internal sealed class LogBench : IBench
{
    private const int BatchSize = 100;
    private const int PipelineDepth = 4;

    /// <summary>awaited: one append at a time; batched: one AppendBatchAsync of 100 at a time; pipelined: 4 batches in flight.</summary>
    private static readonly string[] Modes = ["awaited", "batched", "pipelined"];
    private static readonly int[] Sizes = [256, 1024];

    public string Name => "log";

    public async Task RunAsync(BenchContext context)
    {
        var quick = context.Quick;
        foreach (var size in Sizes)
        {
            foreach (var mode in Modes)
            {
                await using var memory = new InMemoryEventLog();
                await MeasureAsync(context, "memory", memory, mode, size, quick ? 200_000 : 1_000_000, null);
            }
        }

        await using var servers = await NatsServers.StartAsync(3, 34221, 36221, 38221, jetStream: true);
        Console.Error.WriteLine($"# nats cluster up: {servers.Url}");
        foreach (var replicas in new[] { 1, 3 })
        {
            foreach (var size in Sizes)
            {
                foreach (var mode in Modes)
                {
                    var tag = string.Create(CultureInfo.InvariantCulture, $"r{replicas}{mode[0]}{size}");
                    await using var log = await NatsEventLog.ConnectAsync(new NatsEventLogOptions
                    {
                        Url = servers.Url,
                        Replicas = replicas,
                        StreamName = "LOGBENCH_" + tag.ToUpperInvariant(),
                        SubjectPrefix = "logbench-" + tag,
                        ClientName = "murmur-logbench",
                    });
                    var count = mode != "awaited" ? (quick ? 10_000 : 100_000) : (quick ? 1_000 : 20_000);
                    await MeasureAsync(context, $"nats-r{replicas}", log, mode, size, count, servers);
                }
            }
        }
    }

    private async Task MeasureAsync(BenchContext context, string system, IEventLog log, string mode, int size, int count, NatsServers? servers)
    {
        const string topic = "bench";
        var data = new byte[size];
        Random.Shared.NextBytes(data);
        var batched = mode != "awaited";
        var depth = mode == "pipelined" ? PipelineDepth : 1;
        var warmup = batched ? BatchSize * 10 : 200;
        var total = warmup + count;
        var ids = new string[total];
        for (var i = 0; i < total; i++)
        {
            ids[i] = i.ToString(CultureInfo.InvariantCulture);
        }
        var started = new long[total];
        var seen = new long[total];
        var warmedUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var follower = Task.Run(async () =>
        {
            var delivered = 0;
            await foreach (var entry in log.ReadAsync(topic, 1, follow: true, stop.Token))
            {
                var i = int.Parse(entry.EventId, CultureInfo.InvariantCulture);
                seen[i] = Stopwatch.GetTimestamp();
                delivered++;
                if (delivered == warmup)
                {
                    warmedUp.TrySetResult();
                }
                if (delivered == total)
                {
                    done.TrySetResult();
                    return;
                }
            }
        });

        var timeout = TimeSpan.FromSeconds(120);
        await AppendRangeAsync(log, topic, ids, data, started, 0, warmup, batched, depth);
        await Task.WhenAny(warmedUp.Task, follower).WaitAsync(timeout);
        if (follower.IsFaulted)
        {
            throw follower.Exception!.GetBaseException();
        }

        var clientCpu = Environment.CpuUsage.TotalTime;
        var serverCpu = servers?.ProcessorTime ?? TimeSpan.Zero;
        var begin = Stopwatch.GetTimestamp();
        await AppendRangeAsync(log, topic, ids, data, started, warmup, total, batched, depth);
        await Task.WhenAny(done.Task, follower).WaitAsync(timeout);
        if (follower.IsFaulted)
        {
            throw follower.Exception!.GetBaseException();
        }
        var end = seen[total - 1];
        clientCpu = Environment.CpuUsage.TotalTime - clientCpu;
        serverCpu = (servers?.ProcessorTime ?? TimeSpan.Zero) - serverCpu;
        await stop.CancelAsync();
        try
        {
            await follower;
        }
        catch (OperationCanceledException)
        {
            // follower stopped
        }

        var latencies = new double[count];
        for (var i = 0; i < count; i++)
        {
            latencies[i] = (seen[warmup + i] - started[warmup + i]) * 1000.0 / Stopwatch.Frequency;
        }
        Array.Sort(latencies);
        var seconds = (end - begin) / (double)Stopwatch.Frequency;
        (string, object)[] keys = batched
            ? [("mode", mode), ("size", size), ("events", count), ("batch", BatchSize), ("in_flight", depth)]
            : [("mode", mode), ("size", size), ("events", count)];
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# {system} {mode} {size} B: {seconds:F2} s wall; CPU per event: bench process {clientCpu.TotalMicroseconds / count:F1} µs, nats-servers {serverCpu.TotalMicroseconds / count:F1} µs"));
        context.Report(Name, system, "events_per_second", count / seconds, "events/s", keys);
        context.Report(Name, system, "p50_ms", Percentile(latencies, 50), "ms", keys);
        context.Report(Name, system, "p99_ms", Percentile(latencies, 99), "ms", keys);
    }

    private static async Task AppendRangeAsync(IEventLog log, string topic, string[] ids, byte[] data, long[] started, int from, int to, bool batched, int depth)
    {
        if (!batched)
        {
            for (var i = from; i < to; i++)
            {
                started[i] = Stopwatch.GetTimestamp();
                await log.AppendAsync(topic, new LogRecord(ids[i], data));
            }
            return;
        }
        var inFlight = new Queue<Task>(depth);
        for (var i = from; i < to; i += BatchSize)
        {
            if (inFlight.Count == depth)
            {
                await inFlight.Dequeue();
            }
            var n = Math.Min(BatchSize, to - i);
            var records = new LogRecord[n];
            var now = Stopwatch.GetTimestamp();
            for (var j = 0; j < n; j++)
            {
                records[j] = new LogRecord(ids[i + j], data);
                started[i + j] = now;
            }
            inFlight.Enqueue(log.AppendBatchAsync(topic, records).AsTask());
        }
        while (inFlight.Count > 0)
        {
            await inFlight.Dequeue();
        }
    }

    private static double Percentile(double[] sorted, double percentile)
    {
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
