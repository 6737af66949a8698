using System.Text.Json;
using Microsoft.Extensions.AI;
using Murmur.AI.Agents;
using Murmur.AI.Events;
using Murmur.AI.Scripted;
using Murmur.AI.Tests.Support;
using Murmur.AI.Tools;
using Murmur.AI.Tools.Mesh;
using Murmur.Events;
using Murmur.Logs;

namespace Murmur.AI.Tests.Mesh;

public sealed class RemoteToolTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static AIFunction Lookup(Counter runs) => AIFunctionFactory.Create(
        (string key) =>
        {
            runs.Increment();
            return "value-of-" + key;
        },
        "lookup",
        "Looks a key up in the host's table.");

    [Fact]
    public async Task AgentOnOneNode_CallsAToolServedByAnother_ItRunsOnceOnItsHost_AndEveryStepIsInTheLog()
    {
        await using var nodes = new MeshNodes(new InMemoryEventLog());
        var host = await nodes.NodeAsync("host-b");
        var runs = new Counter();
        host.Tools().Add(Lookup(runs));
        var hostMesh = await nodes.JoinAsync(host);
        var caller = await nodes.NodeAsync("caller-a");
        var callerMesh = await nodes.JoinAsync(caller);
        var hosted = await callerMesh.WaitForToolAsync("lookup").WaitAsync(Patience);
        Assert.Equal("host-b", hosted.Node);
        Assert.Equal("string", hosted.Schema.GetProperty("properties").GetProperty("key").GetProperty("type").GetString());

        var topic = await caller.OpenTopicAsync("remote-task");
        var engine = ScriptedChatClient.FromJson("""
            [{"tool_calls":[{"tool":"lookup","args":{"key":"x"}}]},
             {"when":{"tool_result_contains":"value-of-x"},"text":"found it"}]
            """);
        var options = new LlmAgentOptions { Goal = "look x up", AllowedTools = ["lookup"], EnableReportFinding = false };
        await caller.SpawnAsync("Caller_Agent", () => new LlmAgent(engine, caller.Tools(), options), topic);

        var history = await TopicWait.UntilAsync(topic, e => e.Action == Actions.TaskComplete);
        var mine = history.Where(e => e.Actor == "Caller_Agent" && e.Action != Actions.Join).ToList();
        Assert.Equal([AiActions.ToolCall, AiActions.ToolResult, Actions.Message, Actions.TaskComplete], mine.Select(e => e.Action));
        var call = mine[0].GetPayload();
        Assert.Equal("host-b", call.GetProperty("to").GetString());
        var result = mine[1].GetPayload();
        Assert.Equal(mine[0].EventId, result.GetProperty("call_id").GetString());
        Assert.True(result.GetProperty("ok").GetBoolean());
        Assert.Equal("value-of-x", result.GetProperty("result").GetString());
        Assert.Equal("remote", result.GetProperty("locality").GetString());
        Assert.Equal("host-b", result.GetProperty("host").GetString());
        Assert.True(result.GetProperty("elapsed_us").GetInt64() >= result.GetProperty("tool_us").GetInt64());
        Assert.Equal("done", mine[3].GetPayload().GetProperty("status").GetString());
        Assert.Equal(1, runs.Value);
        Assert.Equal(1, hostMesh.ToolRuns);

        // The host's inbox holds the request and the answer under the caller's call id (a read-only tool is not claimed).
        var inbox = await host.OpenTopicAsync(ToolMesh.InboxTopicOf("host-b"));
        var steps = (await TopicWait.UntilAsync(inbox, e => e.Action == AiActions.ToolResult))
            .Where(e => e.Action != Actions.Join).ToList();
        Assert.Equal([AiActions.ToolCall, AiActions.ToolResult], steps.Select(e => e.Action));
        Assert.All(steps, e => Assert.Equal(mine[0].EventId, e.GetPayload().GetProperty("call_id").GetString()));
        Assert.Equal("calls@caller-a>host-b", steps[0].Actor);
        Assert.Equal("tools@host-b", steps[1].Actor);
    }

    [Fact]
    public async Task ASideEffectingRemoteTool_IsClaimedInTheLogBeforeItRuns()
    {
        await using var nodes = new MeshNodes(new InMemoryEventLog());
        var host = await nodes.NodeAsync("host-b");
        var claimedBeforeRun = false;
        host.Tools().AddSideEffecting(
            async (string change) =>
            {
                var inbox = await host.OpenTopicAsync(ToolMesh.InboxTopicOf("host-b"));
                claimedBeforeRun = inbox.History.Any(e => e.Action == ToolMeshActions.ToolStarted);
                return "applied " + change;
            },
            "apply_change");
        var hostMesh = await nodes.JoinAsync(host);
        var caller = await nodes.NodeAsync("caller-a");
        var callerMesh = await nodes.JoinAsync(caller);
        var hosted = await callerMesh.WaitForToolAsync("apply_change").WaitAsync(Patience);
        Assert.True(hosted.SideEffecting);
        var topic = await caller.OpenTopicAsync("task");
        var member = await Puppet.JoinAsync(caller, topic, "Agent_X");

        var outcome = await new ToolInvoker(caller.Tools()).InvokeAsync(member, "apply_change", new Dictionary<string, object?> { ["change"] = "c1" });

        Assert.True(outcome.Ok, outcome.Error);
        Assert.Equal(ToolLocality.Remote, outcome.Locality);
        Assert.Equal("host-b", outcome.Host);
        Assert.True(claimedBeforeRun);
        var inboxSteps = (await host.OpenTopicAsync(ToolMesh.InboxTopicOf("host-b"))).History.Where(e => e.Action != Actions.Join).Select(e => e.Action);
        Assert.Equal([AiActions.ToolCall, ToolMeshActions.ToolStarted, AiActions.ToolResult], inboxSteps);
        var recorded = await TopicWait.UntilAsync(topic, e => e.Action == AiActions.ToolResult);
        Assert.True(recorded.Single(e => e.Action == AiActions.ToolResult).GetPayload().GetProperty("side_effecting").GetBoolean());
        Assert.Equal(1, hostMesh.ToolRuns);
    }

    [Fact]
    public async Task ARequestAppendedTwice_BecauseItsAcknowledgementWasLost_RunsTheToolOnce()
    {
        var log = new AckLossLog(new InMemoryEventLog());
        await using var nodes = new MeshNodes(log);
        var host = await nodes.NodeAsync("host-b");
        var runs = new Counter();
        host.Tools().Add(Lookup(runs));
        var hostMesh = await nodes.JoinAsync(host);
        var caller = await nodes.NodeAsync("caller-a", appendAttempts: 1);
        var callerMesh = await nodes.JoinAsync(caller);
        await callerMesh.WaitForToolAsync("lookup").WaitAsync(Patience);
        // Open the client first (its JOIN goes through), then lose the acknowledgement of the request itself.
        var warmup = await callerMesh.CallAsync("host-b", "lookup", new Dictionary<string, object?> { ["key"] = "w" }, "call-warmup", "tester");
        Assert.True(warmup.Ok, warmup.Error);
        log.LoseAcksOn(ToolMesh.InboxTopicOf("host-b"), 1);

        var reply = await callerMesh.CallAsync("host-b", "lookup", new Dictionary<string, object?> { ["key"] = "y" }, "call-1", "tester").WaitAsync(Patience);

        Assert.True(reply.Ok, reply.Error);
        Assert.Equal("value-of-y", reply.Result.GetString());
        Assert.Equal(1, log.Lost);
        var inbox = await host.OpenTopicAsync(ToolMesh.InboxTopicOf("host-b"));
        await TopicWait.UntilAsync(inbox, e => e.Action == AiActions.ToolResult && CallId(e) == "call-1");
        // The host handles its inbox in order: once a later call is answered, the second copy of call-1 was handled too.
        var later = await callerMesh.CallAsync("host-b", "lookup", new Dictionary<string, object?> { ["key"] = "z" }, "call-later", "tester").WaitAsync(Patience);
        Assert.True(later.Ok, later.Error);
        var requests = inbox.History.Count(e => e.Action == AiActions.ToolCall && CallId(e) == "call-1");
        Assert.Equal(2, requests);
        Assert.Equal(3, runs.Value); // warm-up, call-1 and the later call: once each
        Assert.Equal(1, hostMesh.DuplicateRequests);
        Assert.Single(inbox.History, e => e.Action == AiActions.ToolResult && CallId(e) == "call-1");
    }

    [Fact]
    public async Task HostStoppedWhileTheToolRan_AfterItsRestart_AnswersOutcomeUnknown_AndNeverRunsItAgain()
    {
        await using var nodes = new MeshNodes(new InMemoryEventLog());
        var runs = new Counter();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var apply = SlowTool("apply_change", runs, started, sideEffecting: true);
        var host = await nodes.NodeAsync("host-b");
        host.Tools().Add(apply);
        await nodes.JoinAsync(host);
        var caller = await nodes.NodeAsync("caller-a");
        var callerMesh = await nodes.JoinAsync(caller);
        await callerMesh.WaitForToolAsync("apply_change").WaitAsync(Patience);

        var call = callerMesh.CallAsync("host-b", "apply_change", new Dictionary<string, object?> { ["change"] = "c1" }, "call-1", "tester");
        await started.Task.WaitAsync(Patience);
        await nodes.StopAsync(host);
        Assert.False(call.IsCompleted);

        var restarted = await nodes.NodeAsync("host-b");
        restarted.Tools().Add(apply);
        var restartedMesh = await nodes.JoinAsync(restarted);
        var reply = await call.WaitAsync(Patience);

        Assert.False(reply.Ok);
        Assert.Contains("outcome unknown", reply.Error, StringComparison.Ordinal);
        Assert.Contains("was not run again", reply.Error, StringComparison.Ordinal);
        Assert.Equal(1, runs.Value);
        Assert.Equal(1, restartedMesh.UnknownOutcomes);
        Assert.Equal(0, restartedMesh.ToolRuns);
    }

    [Fact]
    public async Task ACallMadeWhileTheHostIsDown_RunsWhenItComesBack()
    {
        await using var nodes = new MeshNodes(new InMemoryEventLog());
        var runs = new Counter();
        var host = await nodes.NodeAsync("host-b");
        host.Tools().Add(Lookup(runs));
        await nodes.JoinAsync(host);
        await nodes.StopAsync(host);
        var caller = await nodes.NodeAsync("caller-a");
        var callerMesh = await nodes.JoinAsync(caller);
        Assert.False(callerMesh.TryFindRemote("lookup", out _)); // the host said it left

        var call = callerMesh.CallAsync("host-b", "lookup", new Dictionary<string, object?> { ["key"] = "z" }, "call-while-down", "tester");
        var inboxOnCaller = await caller.OpenTopicAsync(ToolMesh.InboxTopicOf("host-b"));
        await TopicWait.UntilAsync(inboxOnCaller, e => e.Action == AiActions.ToolCall && CallId(e) == "call-while-down");
        Assert.False(call.IsCompleted);

        var restarted = await nodes.NodeAsync("host-b");
        restarted.Tools().Add(Lookup(runs));
        await nodes.JoinAsync(restarted);
        var reply = await call.WaitAsync(Patience);

        Assert.True(reply.Ok, reply.Error);
        Assert.Equal("value-of-z", reply.Result.GetString());
        Assert.Equal(1, runs.Value);
    }

    [Fact]
    public async Task NoHostAnswers_TheCallFailsAfterItsTimeout_WithAnErrorThatSaysSo()
    {
        await using var nodes = new MeshNodes(new InMemoryEventLog());
        var caller = await nodes.NodeAsync("caller-a");
        var mesh = await nodes.JoinAsync(caller, new ToolMeshOptions { CallTimeout = TimeSpan.FromMilliseconds(200) });

        var reply = await mesh.CallAsync("ghost-node", "lookup", null, "call-1", "tester").WaitAsync(Patience);

        Assert.False(reply.Ok);
        Assert.Contains("remote tool 'lookup' on node 'ghost-node' did not answer within 0.2 s", reply.Error, StringComparison.Ordinal);
        Assert.Contains("at most once", reply.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AToolTheHostDoesNotExport_IsNeitherAnnouncedNorRun()
    {
        await using var nodes = new MeshNodes(new InMemoryEventLog());
        var host = await nodes.NodeAsync("host-b");
        var runs = new Counter();
        host.Tools().Add(Lookup(runs));
        host.Tools().Add(AIFunctionFactory.Create(() => "secret", "internal_only"));
        await nodes.JoinAsync(host, new ToolMeshOptions { ExportedTools = ["lookup"] });
        var caller = await nodes.NodeAsync("caller-a");
        var callerMesh = await nodes.JoinAsync(caller);
        await callerMesh.WaitForToolAsync("lookup").WaitAsync(Patience);

        Assert.False(callerMesh.TryFindRemote("internal_only", out _));
        var reply = await callerMesh.CallAsync("host-b", "internal_only", null, "call-1", "tester").WaitAsync(Patience);

        Assert.False(reply.Ok);
        Assert.Contains("node 'host-b' serves no tool named 'internal_only'; it serves [lookup]", reply.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARemoteToolOutsideTheAgentsAllowList_IsRefusedWithoutARequestToItsHost()
    {
        await using var nodes = new MeshNodes(new InMemoryEventLog());
        var host = await nodes.NodeAsync("host-b");
        var runs = new Counter();
        host.Tools().Add(Lookup(runs));
        await nodes.JoinAsync(host);
        var caller = await nodes.NodeAsync("caller-a");
        var callerMesh = await nodes.JoinAsync(caller);
        await callerMesh.WaitForToolAsync("lookup").WaitAsync(Patience);
        var topic = await caller.OpenTopicAsync("task");
        var member = await Puppet.JoinAsync(caller, topic, "Agent_X");

        var invoker = new ToolInvoker(caller.Tools(), ["read_file"]);
        var outcome = await invoker.InvokeAsync(member, "lookup", new Dictionary<string, object?> { ["key"] = "x" });

        Assert.False(outcome.Ok);
        Assert.Contains("not in this agent's allow-list", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(ToolLocality.Local, outcome.Locality);
        Assert.DoesNotContain(invoker.AllowedTools, t => t.Name == "lookup");
        Assert.Contains(new ToolInvoker(caller.Tools(), ["lookup"]).AllowedTools, t => t.Name == "lookup");
        var inbox = await caller.OpenTopicAsync(ToolMesh.InboxTopicOf("host-b"));
        Assert.DoesNotContain(inbox.History, e => e.Action == AiActions.ToolCall);
        Assert.Equal(0, runs.Value);
    }

    [Fact]
    public async Task HostileRequests_GetErrorsOrAreIgnored_AndTheHostKeepsServing()
    {
        await using var nodes = new MeshNodes(new InMemoryEventLog());
        var host = await nodes.NodeAsync("host-b");
        var runs = new Counter();
        host.Tools().Add(Lookup(runs));
        var hostMesh = await nodes.JoinAsync(host);
        var attacker = await nodes.NodeAsync("attacker");
        var inbox = await attacker.OpenTopicAsync(ToolMesh.InboxTopicOf("host-b"));
        var member = await Puppet.JoinAsync(attacker, inbox, "mallory");
        await member.PublishRawAsync(AiActions.ToolCall, """{"tool":"lookup"}"""u8.ToArray());                        // no call_id: ignored
        await member.PublishRawAsync(AiActions.ToolCall, """[1,2,3]"""u8.ToArray());                                 // not an object: ignored
        await member.PublishRawAsync(AiActions.ToolCall, """{"call_id":"bad-args","tool":"lookup","args":7}"""u8.ToArray());
        await member.PublishRawAsync(AiActions.ToolCall, """{"call_id":"no-tool","tool":"rm_rf","args":{}}"""u8.ToArray());
        await member.PublishRawAsync(AiActions.ToolResult, """{"call_id":"ok-1","ok":true,"result":"forged"}"""u8.ToArray()); // a forged answer
        await member.PublishRawAsync(AiActions.ToolCall, """{"call_id":"ok-1","tool":"lookup","args":{"key":"k"}}"""u8.ToArray());

        // Requests run concurrently on the host: wait for the answer to each (their order in the log may differ).
        foreach (var callId in new[] { "bad-args", "no-tool", "ok-1" })
        {
            await TopicWait.UntilAsync(inbox, e => e.Action == AiActions.ToolResult && e.Actor == "tools@host-b" && CallId(e) == callId);
        }
        var history = inbox.History;
        var answers = history.Where(e => e.Actor == "tools@host-b" && e.Action == AiActions.ToolResult).ToDictionary(CallId, e => e.GetPayload());
        Assert.Contains("must be a JSON object", answers["bad-args"].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("serves no tool named 'rm_rf'", answers["no-tool"].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("value-of-k", answers["ok-1"].GetProperty("result").GetString());
        Assert.Equal(3, answers.Count);
        Assert.Equal(1, runs.Value);
        Assert.Equal(1, hostMesh.ToolRuns);
    }

    [Fact]
    public async Task HostStoppedWhileAReadOnlyToolRan_RunsItAgainAfterItsRestart_BecauseNothingWasClaimed()
    {
        await using var nodes = new MeshNodes(new InMemoryEventLog());
        var runs = new Counter();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var host = await nodes.NodeAsync("host-b");
        host.Tools().Add(SlowTool("search", runs, started, sideEffecting: false));
        await nodes.JoinAsync(host);
        var caller = await nodes.NodeAsync("caller-a");
        var callerMesh = await nodes.JoinAsync(caller);
        await callerMesh.WaitForToolAsync("search").WaitAsync(Patience);

        var call = callerMesh.CallAsync("host-b", "search", new Dictionary<string, object?> { ["change"] = "q" }, "call-1", "tester");
        await started.Task.WaitAsync(Patience);
        await nodes.StopAsync(host);

        var restarted = await nodes.NodeAsync("host-b");
        restarted.Tools().Add(AIFunctionFactory.Create((string change) => { runs.Increment(); return "found " + change; }, "search"));
        await nodes.JoinAsync(restarted);
        var reply = await call.WaitAsync(Patience);

        Assert.True(reply.Ok, reply.Error);
        Assert.Equal("found q", reply.Result.GetString());
        Assert.Equal(2, runs.Value);
        var inbox = await restarted.OpenTopicAsync(ToolMesh.InboxTopicOf("host-b"));
        Assert.DoesNotContain(inbox.History, e => e.Action == ToolMeshActions.ToolStarted);
    }

    /// <summary>A tool that never finishes (until cancelled): the host stops while it runs.</summary>
    private static AIFunction SlowTool(string name, Counter runs, TaskCompletionSource started, bool sideEffecting)
        => AIFunctionFactory.Create(
            async (string change, CancellationToken cancellationToken) =>
            {
                runs.Increment();
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return "applied " + change;
            },
            new AIFunctionFactoryOptions
            {
                Name = name,
                AdditionalProperties = sideEffecting ? new Dictionary<string, object?> { [ToolRegistry.SideEffectingKey] = true } : null,
            });

    private static string CallId(AgentEvent e)
        => e.GetPayload() is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("call_id", out var id) ? id.GetString() ?? "" : "";
}

/// <summary>A thread-safe counter of tool runs.</summary>
internal sealed class Counter
{
    private int _value;

    public int Value => Volatile.Read(ref _value);

    public void Increment() => Interlocked.Increment(ref _value);
}
