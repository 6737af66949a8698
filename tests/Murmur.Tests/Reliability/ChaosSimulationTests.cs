using System.Diagnostics;
using Murmur.Agents;
using Murmur.Events;
using Murmur.Security;
using Murmur.Tests.Topics;
using Murmur.Topics;
using Xunit.Abstractions;

namespace Murmur.Tests.Reliability;

/// <summary>A tool-like agent: for each "ping" of <c>A</c> it runs a side effect once per event id, then publishes a result.</summary>
public sealed class EffectAgent(EffectLedger ledger, HashSet<string> done) : Agent
{
    protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        if (view.IsReplay)
        {
            return;
        }
        foreach (var e in view.FromOthers.Where(e => e.Actor == "A" && e.Action == "ping"))
        {
            bool first;
            lock (done)
            {
                first = done.Add(e.EventId); // the idempotency table outlives agent instances
            }
            if (first)
            {
                ledger.Ran(e.EventId);
                await view.PublishAsync("tool_result", new { of = e.EventId }, cancellationToken: cancellationToken);
            }
        }
    }
}

public sealed class ChaosSimulationTests(ITestOutputHelper output)
{
    private const int Limit = 20;
    private const int Expected = 5 + (Limit + 1) + (Limit / 2 + 1) + (Limit + 1); // JOINs, chain A-B, A's pings' results, chain C-D
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static int SeedCount => int.TryParse(Environment.GetEnvironmentVariable("MURMUR_CHAOS_SEEDS"), out var n) && n > 0 ? n : 1000;

    private static int FirstSeed => int.TryParse(Environment.GetEnvironmentVariable("MURMUR_CHAOS_FIRST_SEED"), out var n) ? n : 1;

    private sealed record Outcome(int Seed, HistoryReport Report, long Faults, long FailedBefore, long FailedAfter, long Duplicated, long Redelivered, string? Failure);

    [Fact]
    public async Task TwoNodesOnAChaosLog_EveryAcknowledgedEventDeliveredOnce_CausallyAndEffectsAtMostOnce()
    {
        var clock = Stopwatch.StartNew();
        var seeds = Enumerable.Range(FirstSeed, SeedCount).ToList();
        var outcomes = new Outcome[seeds.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, seeds.Count), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => outcomes[i] = await RunSeedAsync(seeds[i]));
        var failures = outcomes.Where(o => o.Failure is not null || !o.Report.IsValid)
            .Select(o => $"seed {o.Seed}: {o.Failure ?? o.Report.ToString()}").ToList();
        output.WriteLine(
            $"{seeds.Count} seeds in {clock.Elapsed.TotalSeconds:F1} s: faults injected {outcomes.Sum(o => o.Faults)} " +
            $"(append failed before store {outcomes.Sum(o => o.FailedBefore)}, after store {outcomes.Sum(o => o.FailedAfter)}, " +
            $"duplicated appends {outcomes.Sum(o => o.Duplicated)}, re-delivered reads {outcomes.Sum(o => o.Redelivered)}); " +
            $"events acknowledged {outcomes.Sum(o => o.Report.Acknowledged)}, delivered {outcomes.Sum(o => o.Report.Delivered)}, " +
            $"lost {outcomes.Sum(o => o.Report.Lost)}, duplicated {outcomes.Sum(o => o.Report.Duplicated)}, effects {outcomes.Sum(o => o.Report.Effects)}");
        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)));
    }

    /// <summary>One seed: two nodes share a chaos log; odd seeds also sign and verify every event.</summary>
    private static async Task<Outcome> RunSeedAsync(int seed)
    {
        var log = new ChaosEventLog(seed);
        var ledger = new EffectLedger();
        var seen = new Seen();
        var signed = seed % 2 == 1;
        var keys = signed ? Keys(seed) : null;
        string? failure = null;
        var delivered = new Dictionary<string, IReadOnlyList<AgentEvent>>(StringComparer.Ordinal);
        long deadLetters = 0;
        await using (var n1 = await NodeAsync(log, "n1", seed, keys))
        await using (var n2 = await NodeAsync(log, "n2", seed, keys))
        {
            try
            {
                using var timeout = new CancellationTokenSource(Patience);
                var t1 = await n1.OpenTopicAsync("chaos", cancellationToken: timeout.Token);
                var t2 = await n2.OpenTopicAsync("chaos", cancellationToken: timeout.Token);
                var a = await n1.SpawnAsync("A", () => new Echo(seen, Limit, partner: "B"), t1, cancellationToken: timeout.Token);
                await n2.SpawnAsync("B", () => new Echo(seen, Limit, partner: "A"), t2, cancellationToken: timeout.Token);
                var c = await n2.SpawnAsync("C", () => new Echo(seen, Limit, partner: "D"), t2, cancellationToken: timeout.Token);
                await n1.SpawnAsync("D", () => new Echo(seen, Limit, partner: "C"), t1, cancellationToken: timeout.Token);
                var done = new HashSet<string>(StringComparer.Ordinal);
                await n2.SpawnAsync("T", () => new EffectAgent(ledger, done), t2, cancellationToken: timeout.Token);
                await n1.Runtime.AskAsync<AgentEvent>(a, "ping").WaitAsync(timeout.Token);
                await n2.Runtime.AskAsync<AgentEvent>(c, "ping").WaitAsync(timeout.Token);
                await t1.WaitForDeliveredAsync(Expected, timeout.Token);
                await t2.WaitForDeliveredAsync(Expected, timeout.Token);
                await log.WaitAcknowledgedAsync(Expected, timeout.Token); // the last append may be read before its retry is acknowledged
                await t1.CatchUpAsync(timeout.Token);
                await t2.CatchUpAsync(timeout.Token);
                delivered["n1"] = t1.History;
                delivered["n2"] = t2.History;
                deadLetters = n1.DeadLetters.Count + n2.DeadLetters.Count;
                if (deadLetters != 0)
                {
                    failure = $"{deadLetters} dead letter(s): {string.Join("; ", n1.DeadLetters.Items.Concat(n2.DeadLetters.Items).Select(d => d.Reason).Take(3))}";
                }
                else if (log.Acknowledged.Count != Expected)
                {
                    failure = $"{log.Acknowledged.Count} events acknowledged, expected {Expected}";
                }
                else if (ledger.Counts.Count != Limit / 2 + 1)
                {
                    failure = $"{ledger.Counts.Count} side effects ran, expected {Limit / 2 + 1} (one per ping of A)";
                }
            }
            catch (OperationCanceledException)
            {
                failure = $"timed out after {Patience.TotalSeconds} s";
            }
            if (failure is not null && delivered.Count == 0)
            {
                foreach (var t in n1.Topics.Concat(n2.Topics))
                {
                    delivered[$"{(n1.Topics.Contains(t) ? "n1" : "n2")}"] = t.History;
                }
            }
        }
        var report = HistoryChecker.Check(log.Acknowledged, delivered, ledger.Counts);
        if (failure is not null)
        {
            failure += "\n" + report;
        }
        return new Outcome(seed, report, log.FaultsInjected, log.FailedBefore, log.FailedAfter, log.DuplicatedAppends, log.Redelivered, failure);
    }

    private static Dictionary<string, byte[]> Keys(int seed)
    {
        var random = new Random(seed);
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var node in new[] { "n1", "n2" })
        {
            var key = new byte[32];
            random.NextBytes(key);
            keys[node] = key;
        }
        return keys;
    }

    private static Task<MurmurNode> NodeAsync(ChaosEventLog log, string name, int seed, Dictionary<string, byte[]>? keys) => MurmurNode.StartAsync(o =>
    {
        o.UseLog(log);
        o.Options = o.Options with
        {
            NodeId = name,
            AppendAttempts = 4,
            AppendRetryDelay = TimeSpan.Zero,
            EventIdSeed = (seed * 2) + (name == "n1" ? 0 : 1),
            Signing = keys is null ? null : new EventSigning
            {
                KeyId = name,
                Key = keys[name],
                TrustedKeys = keys.Where(k => k.Key != name).ToDictionary(k => k.Key, k => (ReadOnlyMemory<byte>)k.Value, StringComparer.Ordinal),
            },
        };
    });
}
