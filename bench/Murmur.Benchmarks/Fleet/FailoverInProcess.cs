using System.Diagnostics;
using Murmur.Agents;
using Murmur.Fleet;
using Murmur.Logs;
using Murmur.Nats;
using Murmur.Testing;
using Murmur.Topics;

namespace Murmur.Benchmarks.Fleet;

/// <summary>
/// The failover bench's in-process mode (<c>failover --in-process</c>), the measurement before the real kill: per kill,
/// three nodes in the bench's process (each its own NATS connection, default fleet settings), an agent on one; the
/// owner "dies" in process — its heartbeats are cut and its node disposed, so its agents stop at once — and the clock
/// runs until the new owner's claim, and the agent's first event from it, are read from the log. Counts suspicions of
/// live nodes (false downs). Kept to compare with the kill -9 of <see cref="FailoverProcessKill"/>.
/// </summary>
internal static class FailoverInProcess
{
    public static async Task RunAsync(BenchContext context, string name, string url, int kills)
    {
        var results = new TakeoverResults(name, "in-process");
        var falseDowns = 0;
        await using var watchLog = await NatsEventLog.ConnectAsync(Options(url, "murmur-failover-watch"));
        for (var k = 0; k < kills; k++)
        {
            var (claimed, resumed, suspicions) = await KillOnceAsync(url, watchLog, k);
            results.Add(claimed, resumed);
            falseDowns += suspicions;
            Console.Error.WriteLine($"# kill {k + 1}/{kills} (in process): claimed {claimed.TotalSeconds:0.000} s, resumed {(resumed is { } r ? $"{r.TotalSeconds:0.000} s" : "-")}");
        }
        results.Report(context, falseDowns);
    }

    private static NatsEventLogOptions Options(string url, string client) => new() { Url = url, StreamName = "FAILOVER", SubjectPrefix = "failover", ClientName = client };

    private static async Task<(TimeSpan Claimed, TimeSpan? Resumed, int FalseDowns)> KillOnceAsync(string url, IEventLog watchLog, int round)
    {
        var nodes = new List<(MurmurNode Node, MurmurFleet Fleet, CuttableLog Link)>();
        var kinds = new Dictionary<string, Func<OwnedAgent, Agent>> { ["ticker"] = _ => new Ticker() };
        try
        {
            foreach (var name in new[] { "a", "b", "c" })
            {
                var link = new CuttableLog(await NatsEventLog.ConnectAsync(Options(url, "murmur-failover")));
                var node = await MurmurNode.StartAsync(o => o.UseLog(link).Configure(x => x with { NodeId = $"{name}{round}" }));
                nodes.Add((node, await MurmurFleet.StartAsync(node, FleetOptions.Default with { Kinds = kinds }), link));
            }
            var agent = new OwnedAgent($"Ticker_{round}", "ticker", $"failover-{round}", "eventual");
            await nodes[0].Fleet.SpawnAsync(agent);
            var suspicions = 0;
            foreach (var (_, fleet, _) in nodes.Skip(1))
            {
                fleet.NodeSuspected += (node, _) => { if (node != nodes[0].Node.NodeId) { Interlocked.Increment(ref suspicions); } };
            }
            await Task.Delay(TimeSpan.FromSeconds(3)); // every node learns the others' rhythm
            await using var watch = await TakeoverWatch.StartAsync(watchLog, agent.Topic, agent.Agent, nodes[0].Node.NodeId);
            var killedAt = Stopwatch.GetTimestamp();
            nodes[0].Link.Cut();
            await nodes[0].Node.DisposeAsync();
            var claim = await watch.Claimed.WaitAsync(TimeSpan.FromSeconds(60));
            var resumed = await watch.Resumed.WaitAsync(TimeSpan.FromSeconds(60));
            return (Stopwatch.GetElapsedTime(killedAt, claim.At), Stopwatch.GetElapsedTime(killedAt, resumed.At), Volatile.Read(ref suspicions));
        }
        finally
        {
            foreach (var (node, fleet, link) in nodes)
            {
                await fleet.DisposeAsync();
                await node.DisposeAsync();
                await link.Inner.DisposeAsync();
            }
        }
    }

    /// <summary>Publishes one TICK when it starts handling events (again after a takeover: the new owner's first event).</summary>
    private sealed class Ticker : Agent
    {
        private bool _ticked;

        protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
        {
            if (!_ticked)
            {
                _ticked = true;
                await view.PublishAsync("TICK", new { }, cancellationToken: cancellationToken);
            }
        }
    }
}
