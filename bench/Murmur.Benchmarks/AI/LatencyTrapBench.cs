using System.Diagnostics;
using Microsoft.Extensions.AI;
using Murmur.AI.Agents;
using Murmur.AI.Events;
using Murmur.AI.Scripted;
using Murmur.AI.Tools;
using Murmur.AI.Tools.Mesh;
using Murmur.Benchmarks.Log;
using Murmur.Logs;
using Murmur.Nats;

namespace Murmur.Benchmarks.AI;

/// <summary>
/// The essay's latency trap, measured on Murmur: an LlmAgent loop of 15 iterations, each one model call (a
/// zero-latency scripted engine) and one call of a trivial co-located tool, recorded as TOOL_CALL/TOOL_RESULT in
/// the agent's topic. An iteration's overhead is the time between two consecutive model calls: everything the
/// framework does around the model (tool dispatch, publishes, conversation upkeep). Systems: <c>local</c> (the tool in
/// the agent's process); <c>mesh-inmem</c> and <c>nats</c> (the tool served by another node of a <see cref="ToolMesh"/>,
/// every call through the log — in-memory, or NATS JetStream R1 on loopback with the agent's topic on NATS too);
/// <c>nats-core</c> (a bare core-NATS request/reply, no log); <c>http</c> (a separate ASP.NET Core process on
/// loopback, the essay's split design). The essay's figure for a remote tool is 350 ms per call.
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
        await using (var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog()))
        {
            node.Tools().Add(Noop());
            await RunSystemAsync(context, "local", node, node, warmup, runs);
        }

        // (b) Murmur's remote path: the tool is served by another node of a tool mesh, and each call goes through the
        // log (TOOL_CALL into the host's inbox, TOOL_STARTED claim, TOOL_RESULT back) — here the in-memory log, so the
        // figure is the mesh's own cost without a network.
        var shared = new InMemoryEventLog();
        await using (var agentNode = await MurmurNode.StartAsync(o => { o.UseInMemoryLog(shared); o.Options = o.Options with { NodeId = "agent-node" }; }))
        await using (var toolNode = await MurmurNode.StartAsync(o => { o.UseInMemoryLog(shared); o.Options = o.Options with { NodeId = "tool-node" }; }))
        {
            await RunMeshAsync(context, "mesh-inmem", agentNode, toolNode, warmup, runs);
        }

        // (c) the same through NATS JetStream: one nats-server on loopback (R1, fresh store), each node its own connection.
        await using (var server = await NatsServers.StartAsync(1, 34241, 36241, 38241, jetStream: true))
        {
            var stream = "LATENCY_TRAP_" + Environment.ProcessId;
            NatsEventLogOptions Log() => new() { Url = server.Url, StreamName = stream, SubjectPrefix = stream.ToLowerInvariant(), Replicas = 1 };
            await using var agentNode = await MurmurNode.StartAsync(o => { o.UseNats(Log()); o.Options = o.Options with { NodeId = "agent-node" }; });
            await using var toolNode = await MurmurNode.StartAsync(o => { o.UseNats(Log()); o.Options = o.Options with { NodeId = "tool-node" }; });
            await RunMeshAsync(context, "nats", agentNode, toolNode, context.Quick ? 5 : 20, context.Quick ? 20 : 100);
        }

        // (d) for reference, a bare core-NATS request/reply to a responder (no log, no record of the call).
        await using (var remote = await NatsToolHost.StartAsync())
        await using (var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog()))
        {
            node.Tools().Add(AIFunctionFactory.Create(remote.CallAsync, "noop", "Returns n + 1."));
            await RunSystemAsync(context, "nats-core", node, node, warmup, runs);
        }

        // (e) each tool call is an HTTP GET to an ASP.NET Core process (bench/Murmur.ToolServer) on loopback.
        await using (var remote = await HttpToolHost.StartAsync())
        await using (var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog()))
        {
            node.Tools().Add(AIFunctionFactory.Create(remote.CallAsync, "noop", "Returns n + 1."));
            await RunSystemAsync(context, "http", node, node, warmup, runs);
        }

        context.Report(Name, "essay-remote", "overhead_us_p50", EssayMsPerCall * 1000, "us", ("source", "essay"));
        context.Report(Name, "essay-remote", "total_ms_15", EssayMsPerCall * Iterations, "ms", ("source", "essay"));
    }

    private static AIFunction Noop() => AIFunctionFactory.Create((int n) => n + 1, "noop", "Returns n + 1.");

    private async Task RunMeshAsync(BenchContext context, string system, MurmurNode agentNode, MurmurNode toolNode, int warmup, int runs)
    {
        toolNode.Tools().Add(Noop());
        await using var toolMesh = await toolNode.JoinToolMeshAsync();
        await using var agentMesh = await agentNode.JoinToolMeshAsync();
        await agentMesh.WaitForToolAsync("noop").WaitAsync(TimeSpan.FromSeconds(30));
        await RunSystemAsync(context, system, agentNode, toolNode, warmup, runs);
        if (toolMesh.ToolRuns != (warmup + runs) * Iterations)
        {
            throw new InvalidOperationException($"{system}: the host ran the tool {toolMesh.ToolRuns} times for {(warmup + runs) * Iterations} calls");
        }
    }

    private async Task RunSystemAsync(BenchContext context, string system, MurmurNode node, MurmurNode toolNode, int warmup, int runs)
    {
        var steps = string.Join(",", Enumerable.Repeat("""{"tool_calls":[{"tool":"noop","args":{"n":1}}]}""", Iterations));
        var script = Script.Parse($$"""[{{steps}},{"text":"done"}]""");
        var locality = ReferenceEquals(node, toolNode) ? "local" : "remote";
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
            var results = topic.History.Where(e => e.Action == AiActions.ToolResult).ToList();
            if (results.Count != Iterations || results.Any(e => e.GetPayload().GetProperty("locality").GetString() != locality || !e.GetPayload().GetProperty("ok").GetBoolean()))
            {
                throw new InvalidOperationException($"{system}: expected {Iterations} successful {locality} tool results, got: {string.Join(" | ", results.Select(e => e.ToString()))}");
            }
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

        context.Report(Name, system, "overhead_us_p50", Percentile(overheads, 50), "us", ("tool", locality), ("iterations", Iterations), ("runs", runs));
        context.Report(Name, system, "overhead_us_p99", Percentile(overheads, 99), "us", ("tool", locality), ("iterations", Iterations), ("runs", runs));
        context.Report(Name, system, "total_ms_15", Percentile(totals, 50), "ms", ("tool", locality), ("iterations", Iterations), ("runs", runs), ("stat", "p50"));
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
