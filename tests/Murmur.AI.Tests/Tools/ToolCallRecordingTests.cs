using Murmur.AI.Events;
using Murmur.AI.Tests.Mesh;
using Murmur.AI.Tests.Support;
using Murmur.AI.Tools;
using Murmur.Events;
using Murmur.Logs;

namespace Murmur.AI.Tests.Tools;

/// <summary>
/// When a call starts relative to its <c>TOOL_CALL</c> record: a read-only tool runs while the record is appended
/// (one acknowledged append less per call); a side effect waits for the record, so a crash never hides a call that ran.
/// </summary>
public sealed class ToolCallRecordingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AReadOnlyTool_RunsWhileItsToolCallIsBeingAppended_AndTheLogStillHasTheCallBeforeItsResult()
    {
        var log = new GatedLog(new InMemoryEventLog(), "\"TOOL_CALL\"");
        await using var nodes = new MeshNodes(log);
        var node = await nodes.NodeAsync("solo");
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Tools().Add((string key) => { ran.TrySetResult(); return "value-of-" + key; }, "lookup");
        var topic = await node.OpenTopicAsync("task");
        var member = await Puppet.JoinAsync(node, topic, "Agent_X");

        var invocation = new ToolInvoker(node.Tools()).InvokeAsync(member, "lookup", new Dictionary<string, object?> { ["key"] = "k" });
        await log.Held.Task.WaitAsync(Patience);
        await ran.Task.WaitAsync(Patience); // ran although its TOOL_CALL is still held
        Assert.False(invocation.IsCompleted, "the call must not finish before its TOOL_CALL is acknowledged");
        log.Open();
        var outcome = await invocation.WaitAsync(Patience);

        Assert.True(outcome.Ok, outcome.Error);
        var mine = (await TopicWait.UntilAsync(topic, e => e.Action == AiActions.ToolResult)).Where(e => e.Actor == "Agent_X" && e.Action != Actions.Join).ToList();
        Assert.Equal([AiActions.ToolCall, AiActions.ToolResult], mine.Select(e => e.Action));
        Assert.Equal(mine[0].EventId, outcome.CallId);
        Assert.Equal(mine[0].EventId, mine[1].GetPayload().GetProperty("call_id").GetString());
        Assert.Equal(mine[0].Clock[member.Index] + 1, mine[1].Clock[member.Index]); // no gap in the member's sequence
    }

    [Fact]
    public async Task ASideEffectingTool_StartsOnlyAfterItsToolCallIsAcknowledged()
    {
        var log = new GatedLog(new InMemoryEventLog(), "\"TOOL_CALL\"");
        await using var nodes = new MeshNodes(log);
        var node = await nodes.NodeAsync("solo");
        var runs = 0;
        node.Tools().AddSideEffecting((string change) => { Interlocked.Increment(ref runs); return "applied " + change; }, "apply_change");
        var topic = await node.OpenTopicAsync("task");
        var member = await Puppet.JoinAsync(node, topic, "Agent_X");

        var invocation = new ToolInvoker(node.Tools()).InvokeAsync(member, "apply_change", new Dictionary<string, object?> { ["change"] = "c1" });
        await log.Held.Task.WaitAsync(Patience);
        Assert.Equal(0, Volatile.Read(ref runs)); // the record is held, so the effect has not started
        log.Open();
        var outcome = await invocation.WaitAsync(Patience);

        Assert.True(outcome.Ok, outcome.Error);
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task AReadOnlyCall_WhoseToolCallAcknowledgementIsLost_EndsWithTheCallAndItsResultInTheLogOnce()
    {
        var log = new AckLossLog(new InMemoryEventLog());
        await using var nodes = new MeshNodes(log);
        var node = await nodes.NodeAsync("solo", appendAttempts: 1); // the topic does not retry: the publish sees the failure
        node.Tools().Add((string key) => "value-of-" + key, "lookup");
        var topic = await node.OpenTopicAsync("task");
        var member = await Puppet.JoinAsync(node, topic, "Agent_X");
        log.LoseAcksOn("task", 1);

        var outcome = await new ToolInvoker(node.Tools()).InvokeAsync(member, "lookup", new Dictionary<string, object?> { ["key"] = "k" }).WaitAsync(Patience);

        Assert.True(outcome.Ok, outcome.Error);
        Assert.Equal(1, log.Lost);
        var mine = (await TopicWait.UntilAsync(topic, e => e.Action == AiActions.ToolResult)).Where(e => e.Actor == "Agent_X" && e.Action != Actions.Join).ToList();
        Assert.Equal([AiActions.ToolCall, AiActions.ToolResult], mine.Select(e => e.Action));
        Assert.Equal(mine[0].EventId, mine[1].GetPayload().GetProperty("call_id").GetString());
        var stored = new List<LogEntry>();
        await foreach (var entry in log.ReadAsync("task"))
        {
            stored.Add(entry);
        }
        Assert.Single(stored, e => e.EventId == mine[0].EventId);
    }
}
