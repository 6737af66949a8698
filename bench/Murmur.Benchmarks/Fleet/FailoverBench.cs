using System.Diagnostics;
using Murmur.Agents;
using Murmur.Benchmarks.Log;
using Murmur.Fleet;
using Murmur.Logs;
using Murmur.Nats;
using Murmur.Topics;

namespace Murmur.Benchmarks.Fleet;

/// <summary>
/// Takeover time on a loopback NATS cluster with the default fleet settings: three nodes (each its own connection),
/// an agent on one; the owner is killed — its heartbeats stop and its agents die at once — and the clock runs until
/// the first event the agent publishes from its new owner is delivered on that node. Also counts suspicions of live
/// nodes (false downs). The kill is in process (the owner's store writes are cut, its node disposed), not a kill -9.
/// With <c>--soak=SECONDS [--load=N]</c> it runs <see cref="FailoverSoak"/> instead: live nodes under CPU load, false downs counted.
/// </summary>
internal sealed class FailoverBench : IBench
{
    public string Name => "failover";

    public async Task RunAsync(BenchContext context)
    {
        await using var servers = await NatsServers.StartAsync(3, 44221, 46221, 48221, jetStream: true);
        Console.Error.WriteLine($"# nats cluster up: {servers.Url}");
        if (FailoverSoak.Requested(Environment.GetCommandLineArgs()) is { } soak)
        {
            await FailoverSoak.RunAsync(context, Name, servers.Url, soak.Seconds, soak.Load);
            return;
        }
        var kills = context.Quick ? 5 : 12;
        var takeovers = new List<double>();
        var falseDowns = 0;
        for (var k = 0; k < kills; k++)
        {
            var (seconds, suspicions) = await KillOnceAsync(servers.Url, k);
            takeovers.Add(seconds);
            falseDowns += suspicions;
            Console.Error.WriteLine($"# kill {k + 1}/{kills}: taken over in {seconds:0.000} s");
        }
        takeovers.Sort();
        context.Report(Name, "murmur", "takeover_seconds", Percentile(takeovers, 50), "s", ("quantile", "p50"), ("kills", kills), ("log", "nats-r1"));
        context.Report(Name, "murmur", "takeover_seconds", Percentile(takeovers, 99), "s", ("quantile", "p99"), ("kills", kills), ("log", "nats-r1"));
        context.Report(Name, "murmur", "false_downs", falseDowns, "count", ("kills", kills), ("log", "nats-r1"));
    }

    private static async Task<(double Seconds, int FalseDowns)> KillOnceAsync(string url, int round)
    {
        var nodes = new List<(MurmurNode Node, MurmurFleet Fleet, CutLog Link)>();
        var kinds = new Dictionary<string, Func<OwnedAgent, Agent>> { ["ticker"] = _ => new Ticker() };
        try
        {
            foreach (var name in new[] { "a", "b", "c" })
            {
                var log = await NatsEventLog.ConnectAsync(new NatsEventLogOptions { Url = url, StreamName = "FAILOVER", SubjectPrefix = "failover", ClientName = "murmur-failover" });
                var link = new CutLog(log);
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
            var survivors = new List<Task>();
            foreach (var (node, _, _) in nodes.Skip(1))
            {
                var topic = await node.OpenTopicAsync(agent.Topic);
                survivors.Add(topic.WaitForEventAsync(e => e.Actor == agent.Agent && e.Epoch >= 2));
            }
            var clock = Stopwatch.StartNew();
            nodes[0].Link.Cut();
            await nodes[0].Node.DisposeAsync();
            await Task.WhenAny(survivors).WaitAsync(TimeSpan.FromSeconds(60));
            return (clock.Elapsed.TotalSeconds, suspicions);
        }
        finally
        {
            foreach (var (node, fleet, link) in nodes)
            {
                await fleet.DisposeAsync();
                await node.DisposeAsync();
                await link.InnerDisposeAsync();
            }
        }
    }

    private static double Percentile(List<double> sorted, double percentile)
        => sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

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

    /// <summary>A node's own connection whose membership writes can be cut: the owner falls silent at once.</summary>
    private sealed class CutLog(IEventLog inner) : DelegatingEventLog(inner)
    {
        private volatile bool _cut;

        public void Cut() => _cut = true;

        public ValueTask InnerDisposeAsync() => InnerLog.DisposeAsync();

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

        public override async ValueTask<IMembershipStore?> OpenMembershipStoreAsync(CancellationToken cancellationToken = default)
            => await base.OpenMembershipStoreAsync(cancellationToken) is { } store ? new Store(store, this) : null;

        private sealed class Store(IMembershipStore inner, CutLog link) : IMembershipStore
        {
            public ValueTask PublishAsync(string node, ReadOnlyMemory<byte> announcement, CancellationToken cancellationToken = default)
                => link._cut ? ValueTask.CompletedTask : inner.PublishAsync(node, announcement, cancellationToken);

            public ValueTask<IReadOnlyList<MembershipRecord>> ReadAllAsync(CancellationToken cancellationToken = default) => inner.ReadAllAsync(cancellationToken);

            public IAsyncEnumerable<MembershipRecord> WatchAsync(CancellationToken cancellationToken = default) => inner.WatchAsync(cancellationToken);

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
