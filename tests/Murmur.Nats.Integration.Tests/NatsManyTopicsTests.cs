using System.Collections.Concurrent;
using System.Text.Json;
using Murmur.AI.Events;
using Murmur.Agents;
using Murmur.Events;
using Murmur.Topics;
using Xunit.Abstractions;

namespace Murmur.Nats.Integration.Tests;

/// <summary>
/// Issue 14 over the real cluster: 2,000 topics on two nodes, one working agent per node and topic, a server killed
/// while they are set up — nothing lost, nothing handed twice, and the servers hold O(nodes) consumers, not O(topics).
/// </summary>
public sealed class NatsManyTopicsTests(ITestOutputHelper output)
{
    private static readonly int Topics = int.TryParse(Environment.GetEnvironmentVariable("MURMUR_MANY_TOPICS"), out var n) ? n : 2_000;

    /// <summary>How long setting up half the topics may take (a hang fails the test instead of the run).</summary>
    private static readonly TimeSpan SetUpLimit = TimeSpan.FromMinutes(4);

    private readonly RecordingLoggerFactory _logs = new(Microsoft.Extensions.Logging.LogLevel.Information);

    /// <summary>A wait fails when no agent finishes for this long (the run as a whole is bounded by it).</summary>
    private static readonly TimeSpan NoProgress = TimeSpan.FromSeconds(90);

    private readonly string _stream = $"MURMUR_MANY_{Guid.NewGuid():N}"[..20];

    /// <summary>What every agent was handed, by event id, and how many agents saw both FINDINGs of their topic.</summary>
    private sealed class Ledger
    {
        public ConcurrentDictionary<(string Agent, string EventId), int> Handed { get; } = new();

        public ConcurrentDictionary<string, int> Findings { get; } = new();

        private int _done;

        public TaskCompletionSource AllDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Done => Volatile.Read(ref _done);

        public void Record(string agent, AgentEvent e)
        {
            Handed.AddOrUpdate((agent, e.EventId), 1, (_, n) => n + 1);
            if (e.Action == AiActions.Finding && Findings.AddOrUpdate(agent, 1, (_, n) => n + 1) == 2 && Interlocked.Increment(ref _done) == Topics * 2)
            {
                AllDone.TrySetResult();
            }
        }
    }

    /// <summary>Publishes one FINDING the first time it is handed anything live, and records everything it is handed.</summary>
    private sealed class OnceAgent(Ledger ledger, string name) : Agent
    {
        private bool _published;

        protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
        {
            foreach (var e in view.New)
            {
                ledger.Record(name, e);
            }
            if (!_published && !view.IsReplay)
            {
                _published = true;
                await view.PublishAsync(AiActions.Finding, new { text = "found it" }, cancellationToken: cancellationToken);
            }
        }
    }

    private Task<MurmurNode> NodeAsync(string id) => MurmurNode.StartAsync(o =>
    {
        o.UseNats(NatsCluster.Options(_stream));
        o.Options = o.Options with { NodeId = id, Runtime = o.Options.Runtime with { LoggerFactory = _logs } };
    });

    [Fact]
    public async Task TwoThousandTopicsOnTwoNodes_AServerKilledMidSetup_NothingLostNothingTwice_ConsumersPerNodeNotPerTopic()
    {
        var ledger = new Ledger();
        var nodes = new[] { await NodeAsync("many1"), await NodeAsync("many2") };
        var down = false;
        try
        {
            async Task SetUpAsync(int from, int to) => await Parallel.ForEachAsync(Enumerable.Range(from, to - from), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                for (var k = 0; k < nodes.Length; k++)
                {
                    var topic = await nodes[k].OpenTopicAsync($"t{i}", Consistency.Eventual, ct);
                    var name = $"t{i}_on_{k + 1}";
                    await nodes[k].SpawnAsync(name, () => new OnceAgent(ledger, name), topic, cancellationToken: ct);
                }
            });

            var clock = System.Diagnostics.Stopwatch.StartNew();
            await SetUpAsync(0, Topics / 2).WaitAsync(SetUpLimit);
            NatsCluster.Kill(2);
            down = true;
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: server 2 killed with {Topics / 2} topics set up, {ledger.Done} of {Topics * 2} agents done");
            await SetUpAsync(Topics / 2, Topics).WaitAsync(SetUpLimit);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: {Topics} topics set up, {ledger.Done} agents done");
            await NatsCluster.RestartAsync(2);
            down = false;
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: server 2 back, {ledger.Done} agents done");

            var last = -1;
            while (!ledger.AllDone.Task.IsCompleted)
            {
                var done = ledger.Done;
                Assert.True(done != last, $"no agent finished in {NoProgress.TotalSeconds} s: {done} of {Topics * 2} done");
                last = done;
                await Task.WhenAny(ledger.AllDone.Task, Task.Delay(NoProgress));
            }

            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: all {ledger.Done} agents done");

            // Each agent was handed both JOINs and both FINDINGs of its topic, each once.
            Assert.Equal(Topics * 2 * 4, ledger.Handed.Count);
            var twice = ledger.Handed.Where(kv => kv.Value != 1).Take(5).ToList();
            Assert.True(twice.Count == 0, "handed more than once: " + string.Join(", ", twice.Select(kv => $"{kv.Key.Agent}/{kv.Key.EventId} ×{kv.Value}")));

            var consumers = await ConsumersOfStreamAsync();
            output.WriteLine($"{consumers.Count} consumers on {_stream} for {Topics} topics × 2 nodes: {string.Join(", ", consumers)}");
            Assert.InRange(consumers.Count, 1, 4 * nodes.Length);
        }
        finally
        {
            foreach (var line in _logs.Lines.Where(l => !l.Contains(" NATS.Client.", StringComparison.Ordinal)).Take(200))
            {
                output.WriteLine(line);
            }
            if (down)
            {
                await NatsCluster.RestartAsync(2); // the next tests need the whole cluster
            }
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
            await NatsCluster.WaitAllHealthyAsync();
            await NatsCluster.DeleteStreamAsync(_stream);
        }
    }

    /// <summary>
    /// The names of the consumers the servers hold on this test's stream, from their monitoring endpoints
    /// (<c>/jsz</c> with stream and consumer details), merged over the three servers (each reports what it hosts).
    /// </summary>
    private async Task<IReadOnlySet<string>> ConsumersOfStreamAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 1; index <= 3; index++)
        {
            var json = await http.GetStringAsync(new Uri($"{NatsCluster.MonitorUrl(index)}/jsz?accounts=true&streams=true&consumers=true"));
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("account_details", out var accounts))
            {
                continue;
            }
            foreach (var account in accounts.EnumerateArray())
            {
                if (!account.TryGetProperty("stream_detail", out var streams) || streams.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }
                foreach (var stream in streams.EnumerateArray().Where(s => s.GetProperty("name").GetString() == _stream))
                {
                    if (stream.TryGetProperty("consumer_detail", out var details) && details.ValueKind == JsonValueKind.Array)
                    {
                        names.UnionWith(details.EnumerateArray().Select(c => c.GetProperty("name").GetString()!));
                    }
                }
            }
        }
        return names;
    }
}
