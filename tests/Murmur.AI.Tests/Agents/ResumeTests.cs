using Microsoft.Extensions.AI;
using Murmur.AI.Agents;
using Murmur.AI.Events;
using Murmur.AI.Tests.Mesh;
using Murmur.AI.Tests.Support;
using Murmur.AI.Tools;
using Murmur.AI.Tools.Mesh;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.AI.Tests.Agents;

/// <summary>
/// An LlmAgent's node stops mid-task and comes back on the same log: the agent rebuilds its conversation from the
/// topic, finishes the task, and no side effect happens twice.
/// </summary>
public sealed class ResumeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private const string Topic = "resumable";
    private const string Worker = "Worker";

    private static LlmAgentOptions Options => new()
    {
        Goal = "record four effects",
        AllowedTools = ["record_effect"],
        EnableReportFinding = false,
    };

    private static async Task<(MurmurNode Node, Topic Topic)> StartAsync(InMemoryEventLog log, AIFunction tool, IChatClient model)
    {
        var node = await MurmurNode.StartAsync(o => { o.UseInMemoryLog(log); o.Options = o.Options with { NodeId = "worker-node" }; });
        node.Tools().Add(tool);
        var topic = await node.OpenTopicAsync(Topic);
        await node.SpawnAsync(Worker, () => new LlmAgent(model, node.Tools(), Options), topic);
        return (node, topic);
    }

    private static List<string> WorkerActions(IEnumerable<AgentEvent> history)
        => [.. history.Where(e => e.Actor == Worker && e.Action != Actions.Join).Select(e => e.Action)];

    [Fact]
    public async Task NodeStoppedWhileTheModelThought_TheRestartedAgentResumesAfterItsLastResult()
    {
        var log = new InMemoryEventLog();
        var ledger = new EffectLedger();
        var first = new CountingModel(steps: 4, holdAtResults: 2);
        var (node, _) = await StartAsync(log, ledger.Tool(), first);
        await first.Held.WaitAsync(Patience);
        await node.DisposeAsync();
        Assert.Equal(["effect-1", "effect-2"], ledger.Effects);

        var second = new CountingModel(steps: 4);
        var (restarted, topic) = await StartAsync(log, ledger.Tool(), second);
        await using (restarted)
        {
            var history = await TopicWait.UntilAsync(topic, e => e.Action == Actions.TaskComplete);

            Assert.Equal(["effect-1", "effect-2", "effect-3", "effect-4"], ledger.Effects);
            Assert.Equal(
                [.. Enumerable.Repeat(new[] { AiActions.ToolCall, AiActions.ToolResult }, 4).SelectMany(x => x), Actions.Message, Actions.TaskComplete],
                WorkerActions(history));
            // The first model call of the new incarnation saw the goal and both earlier results.
            var resumed = second.Seen[0];
            Assert.Equal(2, CountingModel.Results(resumed));
            Assert.Contains(resumed, m => m.Role == ChatRole.User && m.Text == "record four effects");
        }
    }

    [Fact]
    public async Task NodeStoppedAfterASideEffectBeforeItsResult_TheCallIsAnsweredOutcomeUnknown_AndNotRunAgain()
    {
        var log = new InMemoryEventLog();
        var ledger = new EffectLedger();
        var (node, _) = await StartAsync(log, ledger.Tool(holdAfter: "effect-2"), new CountingModel(steps: 4));
        await ledger.Holding.WaitAsync(Patience);
        await node.DisposeAsync();

        var (restarted, topic) = await StartAsync(log, ledger.Tool(), new CountingModel(steps: 4));
        await using (restarted)
        {
            var history = await TopicWait.UntilAsync(topic, e => e.Action == Actions.TaskComplete);

            Assert.Equal(["effect-1", "effect-2", "effect-3", "effect-4"], ledger.Effects);
            var results = history.Where(e => e.Actor == Worker && e.Action == AiActions.ToolResult).Select(e => e.GetPayload()).ToList();
            Assert.Equal(4, results.Count);
            Assert.False(results[1].GetProperty("ok").GetBoolean());
            Assert.Contains("outcome unknown", results[1].GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.Single(history, e => e.Actor == Worker && e.Action == Actions.TaskComplete);
        }
    }

    [Fact]
    public async Task AGoalAlreadyCompleted_IsNotStartedAgainAfterARestart()
    {
        var log = new InMemoryEventLog();
        var ledger = new EffectLedger();
        var (node, topic) = await StartAsync(log, ledger.Tool(), new CountingModel(steps: 2));
        await TopicWait.UntilAsync(topic, e => e.Action == Actions.TaskComplete);
        await node.DisposeAsync();

        var second = new CountingModel(steps: 2);
        var (restarted, again) = await StartAsync(log, ledger.Tool(), second);
        await using (restarted)
        {
            // New work addressed to the agent: it runs that task (its model sees the new message, whose results count starts at 0 again,
            // so it records two effects more), and never the finished goal.
            var boss = await Puppet.JoinAsync(restarted, again, "Boss");
            await boss.PublishAsync(Actions.Message, new { to = Worker, text = "two more" });
            var history = await TopicWait.UntilHistoryAsync(again, h => WorkerActions(h).Count(a => a == Actions.TaskComplete) == 2);

            Assert.Equal(2, WorkerActions(history).Count(a => a == Actions.TaskComplete));
            Assert.DoesNotContain(second.Seen, c => c.Any(m => m.Role == ChatRole.User && m.Text == "record four effects"));
            Assert.Contains(second.Seen[0], m => m.Text.Contains("two more", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task CallerStoppedWhileARemoteToolRan_AfterItsRestart_TheHostsAnswerIsPickedUp_AndTheToolRanOnce()
    {
        var log = new InMemoryEventLog();
        var ledger = new EffectLedger();
        await using var nodes = new MeshNodes(log);
        var host = await nodes.NodeAsync("tool-node");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Tools().AddSideEffecting(
            async (string id) =>
            {
                if (id == "effect-2")
                {
                    holding.TrySetResult();
                    await release.Task; // the host finishes only after the caller has gone
                }
                return await ledger.Tool().InvokeAsync(new AIFunctionArguments { ["id"] = id });
            },
            "record_effect");
        await nodes.JoinAsync(host);

        var caller = await nodes.NodeAsync("caller-node");
        var callerMesh = await nodes.JoinAsync(caller);
        await callerMesh.WaitForToolAsync("record_effect").WaitAsync(Patience);
        var topic = await caller.OpenTopicAsync(Topic);
        await caller.SpawnAsync(Worker, () => new LlmAgent(new CountingModel(steps: 3), caller.Tools(), Options), topic);
        await holding.Task.WaitAsync(Patience);
        await nodes.CrashAsync(caller);
        release.SetResult();
        var hostInbox = await host.OpenTopicAsync(ToolMesh.InboxTopicOf("tool-node"));
        await TopicWait.UntilAsync(hostInbox, e => e.Action == AiActions.ToolResult && e.GetPayload().GetProperty("result").GetString() == "recorded effect-2");

        var back = await nodes.NodeAsync("caller-node");
        await nodes.JoinAsync(back);
        var again = await back.OpenTopicAsync(Topic);
        await back.SpawnAsync(Worker, () => new LlmAgent(new CountingModel(steps: 3), back.Tools(), Options), again);
        var history = await TopicWait.UntilAsync(again, e => e.Action == Actions.TaskComplete);

        Assert.Equal(["effect-1", "effect-2", "effect-3"], ledger.Effects);
        var results = history.Where(e => e.Actor == Worker && e.Action == AiActions.ToolResult).Select(e => e.GetPayload()).ToList();
        Assert.Equal(["recorded effect-1", "recorded effect-2", "recorded effect-3"], results.Select(r => r.GetProperty("result").GetString()));
        Assert.All(results, r => Assert.Equal("remote", r.GetProperty("locality").GetString()));
        Assert.Single(hostInbox.History, e => e.Action == AiActions.ToolResult && e.GetPayload().GetProperty("result").GetString() == "recorded effect-2");
    }
}
