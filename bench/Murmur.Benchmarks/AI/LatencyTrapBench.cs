using System.Diagnostics;
using Microsoft.Extensions.AI;
using Murmur.AI;
using Murmur.AI.Scripted;
using Murmur.AI.Tools;

namespace Murmur.Benchmarks.AI;

/// <summary>
/// The essay's latency trap, measured on Murmur: an LlmAgent loop of 15 iterations, each one model call (a
/// zero-latency scripted engine) and one call of a trivial co-located tool, recorded as TOOL_CALL/TOOL_RESULT in
/// an in-memory topic. An iteration's overhead is the time between two consecutive model calls: everything the
/// framework does around the model (tool dispatch, two publishes, conversation upkeep). Systems: the tool local,
/// the tool behind a core NATS request/reply hop on loopback, and the tool in a separate ASP.NET Core process over
/// HTTP on loopback. The essay's figure for a remote tool is 350 ms per call.
/// </summary>
internal sealed class LatencyTrapBench : IBench
{
    private const int Iterations = 15;
    private const double EssayMsPerCall = 350;

    public string Name => "latency-trap";

    public async Task RunAsync(BenchContext context)
    {
        var warmup = context.Quick ? 10 : 50;
        var runs = context.Quick ? 50 : 500;

        // (a) the tool runs in the agent's process.
        await RunSystemAsync(context, "local", AIFunctionFactory.Create((int n) => n + 1, "noop", "Returns n + 1."), warmup, runs);

        // (b) each tool call is a core NATS request to a responder task in this process, through a nats-server on loopback.
        await using (var remote = await NatsToolHost.StartAsync())
        {
            await RunSystemAsync(context, "nats", AIFunctionFactory.Create(remote.CallAsync, "noop", "Returns n + 1."), warmup, runs);
        }

        // (c) each tool call is an HTTP GET to an ASP.NET Core process (bench/Murmur.ToolServer) on loopback.
        await using (var remote = await HttpToolHost.StartAsync())
        {
            await RunSystemAsync(context, "http", AIFunctionFactory.Create(remote.CallAsync, "noop", "Returns n + 1."), warmup, runs);
        }

        context.Report(Name, "essay-remote", "overhead_us_p50", EssayMsPerCall * 1000, "us", ("source", "essay"));
        context.Report(Name, "essay-remote", "total_ms_15", EssayMsPerCall * Iterations, "ms", ("source", "essay"));
    }

    private async Task RunSystemAsync(BenchContext context, string system, AIFunction tool, int warmup, int runs)
    {
        var steps = string.Join(",", Enumerable.Repeat("""{"tool_calls":[{"tool":"noop","args":{"n":1}}]}""", Iterations));
        var script = Script.Parse($$"""[{{steps}},{"text":"done"}]""");

        await using var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog());
        node.Tools().Add(tool);
        var options = new LlmAgentOptions { AllowedTools = ["noop"], MaxIterations = Iterations + 1, EnableReportFinding = false };

        var overheads = new List<double>(runs * Iterations);
        var totals = new List<double>(runs);
        for (var run = 0; run < warmup + runs; run++)
        {
            var topic = await node.OpenTopicAsync($"latency-trap-{system}-{run}");
            var timing = new TimingChatClient(new ScriptedChatClient(script));
            await node.SpawnAsync($"Agent_{run}", () => new LlmAgent(timing, node.Tools(), options with { Goal = "loop" }), topic);
            // JOIN + 15 × (TOOL_CALL, TOOL_RESULT) + MESSAGE + TASK_COMPLETE
            await topic.WaitForDeliveredAsync(1 + (2 * Iterations) + 2).WaitAsync(TimeSpan.FromSeconds(60));
            if (run < warmup)
            {
                continue;
            }
            var starts = timing.Starts;
            for (var i = 1; i < starts.Count; i++)
            {
                overheads.Add(Microseconds(starts[i] - starts[i - 1]));
            }
            totals.Add(Microseconds(starts[Iterations] - starts[0]) / 1000);
        }

        context.Report(Name, system, "overhead_us_p50", Percentile(overheads, 50), "us", ("iterations", Iterations), ("runs", runs));
        context.Report(Name, system, "overhead_us_p99", Percentile(overheads, 99), "us", ("iterations", Iterations), ("runs", runs));
        context.Report(Name, system, "total_ms_15", Percentile(totals, 50), "ms", ("iterations", Iterations), ("runs", runs), ("stat", "p50"));
    }

    private static double Microseconds(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

    private static double Percentile(List<double> values, double percentile)
    {
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    /// <summary>Stamps the start of every model call.</summary>
    private sealed class TimingChatClient(IChatClient inner) : DelegatingChatClient(inner)
    {
        private readonly List<long> _starts = [];

        public IReadOnlyList<long> Starts
        {
            get
            {
                lock (_starts)
                {
                    return [.. _starts];
                }
            }
        }

        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            lock (_starts)
            {
                _starts.Add(Stopwatch.GetTimestamp());
            }
            return base.GetResponseAsync(messages, options, cancellationToken);
        }
    }
}
