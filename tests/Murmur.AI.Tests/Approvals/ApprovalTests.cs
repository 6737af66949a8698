using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using Murmur.AI.Agents;
using Murmur.AI.Approvals;
using Murmur.AI.Events;
using Murmur.AI.Tests.Support;
using Murmur.AI.Tools;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.AI.Tests.Approvals;

/// <summary>
/// Tool calls that need a person: requested in the topic and the approvals topic, run only after an authorized
/// approval, never after a denial or expiry, and still pending (never run twice) across a restart.
/// </summary>
public sealed class ApprovalTests
{
    private const string Topic = "approvals";
    private const string Worker = "Worker";

    private static LlmAgentOptions Options(ApprovalDesk desk) => new()
    {
        Goal = "record an effect",
        AllowedTools = ["record_effect"],
        EnableReportFinding = false,
        Approvals = desk,
        RequireApproval = ["record_effect"],
    };

    private sealed record Worked(MurmurNode Node, Topic Topic, ApprovalDesk Desk) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Node.DisposeAsync();
            await Desk.DisposeAsync();
        }
    }

    private static async Task<Worked> StartAsync(InMemoryEventLog log, AIFunction tool, IChatClient model, ApprovalOptions? approvals = null,
        Func<ApprovalDesk, LlmAgentOptions>? options = null, TimeProvider? time = null, Consistency consistency = Consistency.Eventual)
    {
        var node = await MurmurNode.StartAsync(o =>
        {
            o.UseInMemoryLog(log);
            o.Options = o.Options with { NodeId = "worker-node" };
        });
        var desk = await ApprovalDesk.StartAsync(log, node.NodeId, approvals ?? new ApprovalOptions { Approvers = ["alice"] }, timeProvider: time);
        node.Tools().Add(tool);
        var topic = await node.OpenTopicAsync(Topic, consistency);
        await node.SpawnAsync(Worker, () => new LlmAgent(model, node.Tools(), (options ?? Options)(desk)), topic);
        return new Worked(node, topic, desk);
    }

    // A person's desk with the mesh's approvers, as the agent's desk has them (mallory's own desk lets anyone decide).
    private static Task<ApprovalDesk> PersonAsync(InMemoryEventLog log, string name)
        => ApprovalDesk.StartAsync(log, name, name == "mallory" ? ApprovalOptions.Default : new ApprovalOptions { Approvers = ["alice"] });

    private static List<string> WorkerActions(IEnumerable<AgentEvent> history)
        => [.. history.Where(e => e.Actor == Worker && e.Action != Actions.Join).Select(e => e.Action)];

    private static async Task<ApprovalRequest> PendingAsync(ApprovalDesk desk, Topic topic)
    {
        var history = await TopicWait.UntilAsync(topic, e => e.Action == ApprovalActions.Requested);
        var callId = history.Single(e => e.Action == ApprovalActions.Requested).GetPayload().GetProperty("call_id").GetString()!;
        // The topic's request is published before the approvals topic's one: wait for the desk to have read it.
        using var patience = new CancellationTokenSource(TopicWait.Patience);
        var request = await desk.WaitForRequestAsync(callId, patience.Token);
        Assert.Equal(request, Assert.Single(desk.Pending));
        return request;
    }

    [Fact]
    public async Task ACallNeedingApproval_RunsOnlyAfterAnApproverApproves_AndTheTopicRecordsEachStep()
    {
        var log = new InMemoryEventLog();
        var ledger = new EffectLedger();
        await using var worked = await StartAsync(log, ledger.Tool(), new CountingModel(steps: 1));
        var pending = await PendingAsync(worked.Desk, worked.Topic);

        Assert.Empty(ledger.Effects);
        Assert.Equal("record_effect", pending.Tool);
        Assert.Equal("effect-1", pending.Arguments.GetProperty("id").GetString());
        Assert.Equal(Worker, pending.Actor);
        Assert.Equal(Topic, pending.Topic);
        await using var alice = await PersonAsync(log, "alice");
        var decision = await alice.ApproveAsync(pending.CallId, "looks right");
        var history = await TopicWait.UntilAsync(worked.Topic, e => e.Action == Actions.TaskComplete);

        Assert.Equal(ApprovalOutcome.Approved, decision.Outcome);
        Assert.Equal(["effect-1"], ledger.Effects);
        Assert.Equal([AiActions.ToolCall, ApprovalActions.Requested, ApprovalActions.Approved, AiActions.ToolResult, Actions.Message, Actions.TaskComplete], WorkerActions(history));
        var approved = history.Single(e => e.Action == ApprovalActions.Approved).GetPayload();
        Assert.Equal("alice", approved.GetProperty("by").GetString());
        Assert.Equal(pending.CallId, approved.GetProperty("call_id").GetString());
        Assert.Empty(worked.Desk.Pending);
    }

    [Fact]
    public async Task ADeniedCall_NeverRuns_AndTheModelGetsTheReasonAsTheToolResult()
    {
        var log = new InMemoryEventLog();
        var ledger = new EffectLedger();
        var model = new CountingModel(steps: 1);
        await using var worked = await StartAsync(log, ledger.Tool(), model);
        var pending = await PendingAsync(worked.Desk, worked.Topic);
        await using var alice = await PersonAsync(log, "alice");
        await alice.DenyAsync(pending.CallId, "not on production");
        var history = await TopicWait.UntilAsync(worked.Topic, e => e.Action == Actions.TaskComplete);

        Assert.Empty(ledger.Effects);
        var result = history.Single(e => e.Action == AiActions.ToolResult).GetPayload();
        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.Contains("denied by alice: not on production", result.GetProperty("error").GetString(), StringComparison.Ordinal);
        var answered = model.Seen[^1].SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single();
        Assert.Contains("not on production", answered.Result?.ToString(), StringComparison.Ordinal);
        Assert.Contains(ApprovalActions.Denied, WorkerActions(history));
    }

    [Fact]
    public async Task ADecisionBySomeoneNotAnApprover_IsRefusedWithAReason_AndTheCallKeepsWaiting()
    {
        var log = new InMemoryEventLog();
        var ledger = new EffectLedger();
        await using var worked = await StartAsync(log, ledger.Tool(), new CountingModel(steps: 1));
        var pending = await PendingAsync(worked.Desk, worked.Topic);
        await using var mallory = await PersonAsync(log, "mallory"); // mallory's own desk lets anyone decide
        await mallory.ApproveAsync(pending.CallId);
        await worked.Desk.CatchUpAsync();

        Assert.Contains(worked.Desk.Refused, r => r.Contains("'mallory' is not an approver", StringComparison.Ordinal));
        Assert.Null(worked.Desk.DecisionOf(pending.CallId));
        Assert.Empty(ledger.Effects);
        await using var alice = await PersonAsync(log, "alice");
        await alice.ApproveAsync(pending.CallId);
        await TopicWait.UntilAsync(worked.Topic, e => e.Action == Actions.TaskComplete);
        Assert.Equal(["effect-1"], ledger.Effects);
        Assert.Equal("alice", worked.Desk.DecisionOf(pending.CallId)!.Principal);
    }

    [Fact]
    public async Task ARequestNobodyDecides_ExpiresAfterTheTimeout_AndTheCallNeverRuns()
    {
        var log = new InMemoryEventLog();
        var ledger = new EffectLedger();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var approvals = new ApprovalOptions { Approvers = ["alice"], Timeout = TimeSpan.FromMinutes(10) };
        await using var worked = await StartAsync(log, ledger.Tool(), new CountingModel(steps: 1), approvals, time: time);
        var pending = await PendingAsync(worked.Desk, worked.Topic);
        Assert.Equal(time.GetUtcNow().AddMinutes(10).ToUnixTimeMilliseconds(), pending.ExpiresAt);

        time.Advance(TimeSpan.FromMinutes(11));
        var history = await TopicWait.UntilAsync(worked.Topic, e => e.Action == Actions.TaskComplete);

        Assert.Empty(ledger.Effects);
        Assert.Equal(ApprovalOutcome.Expired, worked.Desk.DecisionOf(pending.CallId)!.Outcome);
        Assert.Contains(ApprovalActions.Expired, WorkerActions(history));
        Assert.Contains("nobody approved", history.Single(e => e.Action == AiActions.ToolResult).GetPayload().GetProperty("error").GetString(), StringComparison.Ordinal);
        await using var alice = await PersonAsync(log, "alice");
        await Assert.ThrowsAsync<InvalidOperationException>(() => alice.ApproveAsync(pending.CallId));
    }

    [Fact]
    public async Task ARuleMayAskForApprovalPerCall_OtherCallsOfTheSameToolRunAtOnce()
    {
        var log = new InMemoryEventLog();
        var ledger = new EffectLedger();
        await using var worked = await StartAsync(log, ledger.Tool(), new CountingModel(steps: 2), options: desk => Options(desk) with
        {
            RequireApproval = [],
            ApprovalRule = (tool, args) => args.TryGetValue("id", out var id) && id?.ToString() == "effect-2" ? "the second effect touches production" : null,
        });
        var pending = await PendingAsync(worked.Desk, worked.Topic);

        Assert.Equal(["effect-1"], ledger.Effects);
        Assert.Equal("the second effect touches production", pending.Reason);
        await using var alice = await PersonAsync(log, "alice");
        await alice.ApproveAsync(pending.CallId);
        await TopicWait.UntilAsync(worked.Topic, e => e.Action == Actions.TaskComplete);
        Assert.Equal(["effect-1", "effect-2"], ledger.Effects);
    }

    [Fact]
    public async Task APendingApprovalSurvivesARestart_TheDecisionMadeWhileTheNodeWasDown_RunsTheCallOnce()
    {
        var log = new InMemoryEventLog();
        var ledger = new EffectLedger();
        var first = await StartAsync(log, ledger.Tool(), new CountingModel(steps: 1));
        var pending = await PendingAsync(first.Desk, first.Topic);
        await first.DisposeAsync();
        await using (var alice = await PersonAsync(log, "alice"))
        {
            await alice.ApproveAsync(pending.CallId);
        }

        await using var second = await StartAsync(log, ledger.Tool(), new CountingModel(steps: 1));
        var history = await TopicWait.UntilAsync(second.Topic, e => e.Action == Actions.TaskComplete);

        Assert.Equal(["effect-1"], ledger.Effects);
        Assert.Single(history, e => e.Action == AiActions.ToolCall);
        Assert.Single(history, e => e.Action == ApprovalActions.Requested);
        var result = history.Single(e => e.Action == AiActions.ToolResult).GetPayload();
        Assert.True(result.GetProperty("ok").GetBoolean());
        var requests = 0;
        await foreach (var entry in log.ReadAsync(ApprovalDesk.LogTopic))
        {
            requests += AgentEventCodec.TryDecode(entry.Data.Span, null, null, out var e, out _) && e.Action == ApprovalActions.Requested ? 1 : 0;
        }
        Assert.Equal(1, requests);
    }

    [Fact]
    public async Task AnApprovalRecordedBeforeACrash_IsNeverRunAgain_TheCallIsAnsweredOutcomeUnknown()
    {
        var log = new InMemoryEventLog();
        var ledger = new EffectLedger();
        var first = await StartAsync(log, ledger.Tool(holdAfter: "effect-1"), new CountingModel(steps: 1));
        var pending = await PendingAsync(first.Desk, first.Topic);
        await using (var alice = await PersonAsync(log, "alice"))
        {
            await alice.ApproveAsync(pending.CallId);
        }
        await ledger.Holding.WaitAsync(TopicWait.Patience);
        await first.DisposeAsync();

        await using var second = await StartAsync(log, ledger.Tool(), new CountingModel(steps: 1));
        var history = await TopicWait.UntilAsync(second.Topic, e => e.Action == Actions.TaskComplete);

        Assert.Equal(["effect-1"], ledger.Effects);
        Assert.Contains("outcome unknown", history.Single(e => e.Action == AiActions.ToolResult).GetPayload().GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutADesk_ACallNeedingApprovalIsAnsweredNotRun()
    {
        var log = new InMemoryEventLog();
        var ledger = new EffectLedger();
        await using var worked = await StartAsync(log, ledger.Tool(), new CountingModel(steps: 1), options: desk => Options(desk) with { Approvals = null });
        var history = await TopicWait.UntilAsync(worked.Topic, e => e.Action == Actions.TaskComplete);

        Assert.Empty(ledger.Effects);
        Assert.Contains("has no approval desk", history.Single(e => e.Action == AiActions.ToolResult).GetPayload().GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AToolRegisteredAsApprovalRequired_WaitsWithoutBeingNamedInOptions()
    {
        var log = new InMemoryEventLog();
        var ledger = new EffectLedger();
#pragma warning disable MEAI001 // ApprovalRequiredAIFunction is marked experimental by Microsoft.Extensions.AI
        var tool = new ApprovalRequiredAIFunction(ledger.Tool());
#pragma warning restore MEAI001
        await using var worked = await StartAsync(log, tool, new CountingModel(steps: 1), options: desk => Options(desk) with { RequireApproval = [] });
        var pending = await PendingAsync(worked.Desk, worked.Topic);

        Assert.Contains("registered as approval-required", pending.Reason, StringComparison.Ordinal);
        Assert.Empty(ledger.Effects);
    }

    [Fact]
    public async Task InAStrictTopic_TheRoundWaitsForTheDecision()
    {
        var log = new InMemoryEventLog();
        var ledger = new EffectLedger();
        await using var worked = await StartAsync(log, ledger.Tool(), new CountingModel(steps: 1), consistency: Consistency.Strict);
        var pending = await PendingAsync(worked.Desk, worked.Topic);
        await using var alice = await PersonAsync(log, "alice");
        await alice.ApproveAsync(pending.CallId);
        // Once decided, the round the call was made in closes.
        var history = await TopicWait.UntilHistoryAsync(worked.Topic, h => WorkerActions(h) is var a && a.LastIndexOf(Actions.RoundDone) > a.IndexOf(AiActions.ToolResult) && a.Contains(AiActions.ToolResult));

        Assert.Equal(["effect-1"], ledger.Effects);
        // The worker ended no round between asking and its result: the round stayed open while a person decided.
        var actions = WorkerActions(history);
        var asked = actions.IndexOf(ApprovalActions.Requested);
        var answered = actions.IndexOf(AiActions.ToolResult);
        Assert.True(asked >= 0 && answered > asked);
        Assert.DoesNotContain(Actions.RoundDone, actions[asked..answered]);
    }
}
