using System.Diagnostics;
using System.Globalization;
using Murmur.Agents;
using Murmur.Fleet;
using Murmur.Nats;

namespace Murmur.Benchmarks.Fleet;

/// <summary>
/// The failover bench's soak mode (<c>failover --soak=SECONDS [--load=N]</c>): three live nodes on a loopback NATS
/// cluster with the default fleet settings, for the given time, while N child processes spin on the CPU. Nobody is
/// killed, so every <c>NODE_DOWN</c> read from the log is a false down; suspicions are counted too. A fourth
/// connection watches the membership store and measures the gaps between each node's beats as they arrive (what a
/// detector sees).
/// </summary>
internal static class FailoverSoak
{
    /// <summary>The soak's seconds and load from <c>--soak=SECONDS</c> and <c>--load=N</c>, or null when not asked for.</summary>
    public static (int Seconds, int Load)? Requested(IReadOnlyList<string> args)
    {
        int? Value(string name)
        {
            var arg = args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal));
            if (arg is null)
            {
                return null;
            }
            return int.TryParse(arg.AsSpan(name.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 0
                ? v : throw new ArgumentException($"{name} needs a whole number ≥ 0 (as {name}=N), not '{arg}'.");
        }
        return Value("--soak") is { } seconds ? (seconds, Value("--load") ?? 0) : null;
    }

    public static async Task RunAsync(BenchContext context, string name, string url, int seconds, int load)
    {
        var nodes = new List<(MurmurNode Node, MurmurFleet Fleet, NatsEventLog Log)>();
        var hogs = new List<Process>();
        var downs = 0;
        var suspicions = 0;
        var kinds = new Dictionary<string, Func<OwnedAgent, Agent>> { ["idle"] = _ => new Idle() };
        try
        {
            foreach (var id in new[] { "a", "b", "c" })
            {
                var log = await NatsEventLog.ConnectAsync(new NatsEventLogOptions { Url = url, StreamName = "SOAK", SubjectPrefix = "soak", ClientName = "murmur-soak" });
                var node = await MurmurNode.StartAsync(o => o.UseLog(log).Configure(x => x with { NodeId = $"soak-{id}" }));
                var fleet = await MurmurFleet.StartAsync(node, FleetOptions.Default with { Kinds = kinds });
                fleet.NodeDown += _ => Interlocked.Increment(ref downs);
                fleet.NodeSuspected += (_, _) => Interlocked.Increment(ref suspicions);
                await fleet.SpawnAsync(new OwnedAgent($"Idle_{id}", "idle", $"soak-{id}", "eventual"));
                nodes.Add((node, fleet, log));
            }
            for (var i = 0; i < load; i++)
            {
                hogs.Add(ChildProcesses.Start(new ProcessStartInfo("sh", ["-c", "while :; do :; done"]) { UseShellExecute = false }));
            }
            Console.Error.WriteLine($"# soak: 3 nodes, {load} spinning process(es), {seconds} s");
            await using var watcherLog = await NatsEventLog.ConnectAsync(new NatsEventLogOptions { Url = url, StreamName = "SOAK", SubjectPrefix = "soak", ClientName = "murmur-soak-watch" });
            await using var store = await watcherLog.OpenMembershipStoreAsync() ?? throw new InvalidOperationException("NATS has a membership store");
            var gaps = await WatchGapsAsync(store, TimeSpan.FromSeconds(seconds));
            gaps.Sort();
            var keys = new (string, object)[] { ("seconds", seconds), ("load", load), ("log", "nats-r1") };
            context.Report(name, "murmur", "false_downs", Volatile.Read(ref downs), "count", keys);
            context.Report(name, "murmur", "suspicions", Volatile.Read(ref suspicions), "count", keys);
            context.Report(name, "murmur", "heartbeat_gap_ms", Percentile(gaps, 50), "ms", [("quantile", "p50"), .. keys]);
            context.Report(name, "murmur", "heartbeat_gap_ms", Percentile(gaps, 99), "ms", [("quantile", "p99"), .. keys]);
            context.Report(name, "murmur", "heartbeat_gap_ms", gaps.Count > 0 ? Math.Round(gaps[^1], 1) : 0, "ms", [("quantile", "max"), .. keys]);
            context.Report(name, "murmur", "heartbeats", gaps.Count, "count", keys);
        }
        finally
        {
            foreach (var hog in hogs)
            {
                hog.Kill();
                await hog.WaitForExitAsync();
                ChildProcesses.Forget(hog);
                hog.Dispose();
            }
            foreach (var (node, fleet, log) in nodes)
            {
                await fleet.DisposeAsync();
                await node.DisposeAsync();
                await log.DisposeAsync();
            }
        }
    }

    /// <summary>The gaps, in ms, between consecutive beats of each soak node, as they arrive at a watcher, for <paramref name="duration"/>.</summary>
    private static async Task<List<double>> WatchGapsAsync(IMembershipStore store, TimeSpan duration)
    {
        var gaps = new List<double>();
        var last = new Dictionary<string, (long Beat, long At)>(StringComparer.Ordinal);
        using var until = new CancellationTokenSource(duration);
        try
        {
            await foreach (var record in store.WatchAsync(until.Token))
            {
                if (NodeBeat.TryDecode(record, out _) is not { } a || !a.Node.StartsWith("soak-", StringComparison.Ordinal))
                {
                    continue;
                }
                var now = Stopwatch.GetTimestamp();
                if (last.TryGetValue(a.Node, out var previous) && a.Beat > previous.Beat)
                {
                    gaps.Add(Stopwatch.GetElapsedTime(previous.At, now).TotalMilliseconds);
                }
                if (!last.TryGetValue(a.Node, out previous) || a.Beat > previous.Beat)
                {
                    last[a.Node] = (a.Beat, now);
                }
            }
        }
        catch (OperationCanceledException) when (until.IsCancellationRequested)
        {
        }
        return gaps;
    }

    private static double Percentile(List<double> sorted, double percentile)
        => sorted.Count == 0 ? 0 : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Count) - 1, 0, sorted.Count - 1)], 1);

    /// <summary>An agent that only exists (so each node owns one, as a working node does).</summary>
    private sealed class Idle : Agent;
}
