using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Murmur.AI.Events;
using Murmur.AI.Telemetry;
using Murmur.AI.Tools;
using Murmur.Agents;
using Murmur.Events;
using Murmur.Topics;

namespace Murmur.AI.Agents;

/// <summary>
/// An agent whose reasoning engine is any <see cref="IChatClient"/>: it loops model → tool calls (run in-process by
/// a <see cref="ToolInvoker"/>, recorded as <c>TOOL_CALL</c>/<c>TOOL_RESULT</c>) → model, until the model answers
/// with text, which it publishes as <c>MESSAGE</c> followed by <c>TASK_COMPLETE</c>.
/// </summary>
/// <remarks>
/// <para>A task starts from <see cref="LlmAgentOptions.Goal"/> once the agent has started, from an
/// <see cref="LlmAgentTask"/> in its mailbox, from a <c>MESSAGE</c> whose payload has <c>"to"</c> equal to this agent,
/// or (unless disabled) from another agent's <c>FINDING</c>. Events of other agents enter the conversation as user
/// messages marked as data, never as instructions.</para>
/// <para>Findings are published when the model calls <c>report_finding</c>, or when a response message carries
/// <see cref="LlmConventions.PublishKey"/> (the scripted engine's <c>"publish"</c>).</para>
/// <para>The tool allow-list is enforced by the runtime: a call outside it gets an error result and never runs.
/// A spent budget ends the task with <c>TASK_COMPLETE {"status":"budget_exhausted","reason":…}</c>; an exception of
/// the model crashes the agent, so its supervisor decides.</para>
/// <para>A restarted agent — by its supervisor, or on a node that came back after its process died — rebuilds its
/// conversation from its topic's history and carries on: events at or before its own last event (by vector clock)
/// were acted on by its earlier incarnation and start nothing; a task whose last event is not <c>TASK_COMPLETE</c> is
/// resumed; a goal already completed is not started again. A tool call left without a result is asked again under
/// its call id when remote (its host runs it at most once) and answered "outcome unknown" when local (never run twice).</para>
/// <para>A call that needs approval (<see cref="LlmAgentOptions.RequireApproval"/>, <see cref="LlmAgentOptions.ApprovalRule"/>,
/// an <see cref="ApprovalRequiredAIFunction"/>) waits in the agent's turn for a decision on
/// <see cref="LlmAgentOptions.Approvals"/>, and runs once if approved; see <see cref="Approvals.ApprovalDesk"/>.</para>
/// </remarks>
public partial class LlmAgent : Agent
{
    private static readonly AIFunction ReportFinding = AIFunctionFactory.Create(
        (string summary, string? details) => summary,
        LlmConventions.ReportFindingTool,
        "Publishes a FINDING event to the other agents of the topic: a one-line summary and optional details.");

    private readonly IChatClient _chat;
    private readonly ToolRegistry _tools;
    private readonly List<ChatMessage> _conversation = [];
    private readonly List<string> _findingsRead = [];
    private ToolInvoker? _invoker;

    /// <summary>Creates the agent.</summary>
    /// <param name="chatClient">The reasoning engine.</param>
    /// <param name="tools">The node's tools (see <see cref="MurmurNodeToolExtensions.Tools"/>).</param>
    /// <param name="options">Prompt, allow-list and budgets; <see cref="LlmAgentOptions.Default"/> when null.</param>
    public LlmAgent(IChatClient chatClient, ToolRegistry tools, LlmAgentOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(tools);
        _chat = chatClient;
        _tools = tools;
        Options = options ?? LlmAgentOptions.Default;
        Options.Validate();
        _conversation.Add(new ChatMessage(ChatRole.System, Options.SystemPrompt));
    }

    /// <summary>The agent's options.</summary>
    public LlmAgentOptions Options { get; }

    /// <summary>A copy of the conversation so far.</summary>
    public IReadOnlyList<ChatMessage> Conversation => [.. _conversation];

    /// <inheritdoc/>
    protected override async ValueTask OnStartedAsync(CancellationToken cancellationToken)
    {
        var (interrupted, goalStarted) = await ReadEarlierIncarnationAsync(cancellationToken);
        if (interrupted is not null)
        {
            Context.Send(Context.Self, new ResumeTask(interrupted.Topic));
        }
        else if (Options.Goal is { } goal && !goalStarted)
        {
            // Through the mailbox, so the spawn returns at once and the task runs in the agent's own turn.
            Context.Send(Context.Self, new LlmAgentTask(goal, Options.Topic));
        }
    }

    /// <inheritdoc/>
    protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
    {
        if (message is LlmAgentTask task)
        {
            var topic = task.Topic ?? Options.Topic;
            var member = topic is null ? Topics.Count > 0 ? Topics[0] : throw new InvalidOperationException("An LlmAgent needs a topic: spawn it with MurmurNode.SpawnAsync(id, factory, topic).") : Topic(topic);
            _conversation.Add(new ChatMessage(ChatRole.User, task.Goal));
            await RunTaskAsync(member, cancellationToken);
        }
        else if (message is ResumeTask resume)
        {
            await ResumeAsync(Topic(resume.Topic), cancellationToken);
        }
    }

    /// <inheritdoc/>
    protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        var start = false;
        foreach (var e in view.FromOthers)
        {
            if (ActedOnBefore(view.Topic, e))
            {
                continue; // an earlier incarnation acted on it; a resumed task rebuilds it from the history
            }
            var addressed = e.Action == Actions.Message && IsAddressedToMe(e, view.Member.Actor);
            // Someone else's payload: a FINDING without a summary (FINDING.json) is not one, and is ignored.
            var finding = e.Action == AiActions.Finding && Options.ReactToFindings && Finding.TryRead(e, out _);
            if (addressed || finding)
            {
                if (finding)
                {
                    _findingsRead.Add(e.EventId);
                }
                _conversation.Add(AsData(e));
                start = true;
            }
        }
        // Events an earlier incarnation acted on were skipped above; one it saw but did not act on (it crashed first) starts the task again.
        if (start)
        {
            await RunTaskAsync(view.Member, cancellationToken);
        }
    }

    private async Task RunTaskAsync(TopicMember member, CancellationToken cancellationToken)
    {
        var time = Options.TimeProvider ?? Context.TimeProvider;
        var logger = Context.Logger;
        var actor = member.Actor;
        _invoker ??= new ToolInvoker(_tools, Options.AllowedTools, time);
        var chatOptions = Options.ChatOptions?.Clone() ?? new ChatOptions();
        chatOptions.Tools = [.. _invoker.AllowedTools, .. Options.EnableReportFinding ? [ReportFinding] : Array.Empty<AITool>()];
        AgentLogMessages.TaskStarted(logger, actor, member.Topic);
        var metadata = _chat.GetService<ChatClientMetadata>();
        var requestModel = chatOptions.ModelId ?? metadata?.DefaultModelId;
        using var invoke = AiDiagnostics.StartInvokeAgent(actor, actor, member.Topic, metadata?.ProviderName, requestModel);
        try
        {
            await RunLoopAsync(member, chatOptions, metadata?.ProviderName, requestModel, cancellationToken);
        }
        catch (Exception ex) when (Failed(invoke, ex))
        {
            throw; // never reached: the filter tags the span and lets the exception pass
        }
    }

    /// <summary>Tags a span with the exception's type and returns false, so an exception filter can record without catching.</summary>
    private static bool Failed(Activity? activity, Exception ex)
    {
        AiDiagnostics.SetError(activity, ex.GetType().FullName ?? ex.GetType().Name);
        return false;
    }

    private async Task RunLoopAsync(TopicMember member, ChatOptions chatOptions, string? provider, string? requestModel, CancellationToken cancellationToken)
    {
        var time = Options.TimeProvider ?? Context.TimeProvider;
        var logger = Context.Logger;
        var actor = member.Actor;

        var started = time.GetTimestamp();
        long tokens = 0;
        for (var iteration = 1; iteration <= Options.MaxIterations; iteration++)
        {
            var remaining = Options.MaxWallTime - time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                await EndAsync(member, "budget_exhausted", $"max_wall_time: {Options.MaxWallTime} elapsed after {iteration - 1} model calls", iteration - 1, tokens, null, cancellationToken);
                return;
            }
            ChatResponse response;
            using (var wall = remaining is { } r ? new CancellationTokenSource(r, time) : null)
            using (var linked = wall is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wall.Token))
            {
                using var model = AiDiagnostics.StartChat(actor, member.Topic, provider, requestModel);
                AiDiagnostics.ChatInput(model, () => GenAiMessages.ToJson(_conversation));
                var modelStarted = time.GetTimestamp();
                try
                {
                    response = await _chat.GetResponseAsync(_conversation, chatOptions, linked?.Token ?? cancellationToken);
                }
                catch (OperationCanceledException) when (wall?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
                {
                    AiDiagnostics.SetError(model, "timeout");
                    await EndAsync(member, "budget_exhausted", $"max_wall_time: {Options.MaxWallTime} elapsed during model call {iteration}", iteration, tokens, null, cancellationToken);
                    return;
                }
                catch (Exception ex) when (Failed(model, ex))
                {
                    throw; // never reached
                }
                AiDiagnostics.ModelEnded(model, time.GetElapsedTime(modelStarted), response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount);
                AiDiagnostics.ChatAnswered(model, response.ModelId, response.FinishReason?.Value, () => GenAiMessages.ToJson(response.Messages));
            }
            _conversation.AddMessages(response);
            tokens += response.Usage?.TotalTokenCount ?? 0;
            await PublishRequestedAsync(member, response, cancellationToken);

            var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            if (calls.Count == 0)
            {
                var text = response.Text;
                AgentLogMessages.ModelAnswer(logger, actor, text);
                await member.PublishAsync(Actions.Message, new { text }, null, cancellationToken);
                await EndAsync(member, "done", "the model answered", iteration, tokens, text, cancellationToken);
                return;
            }
            var results = new List<AIContent>(calls.Count);
            foreach (var call in calls)
            {
                results.Add(await CallToolAsync(member, call, cancellationToken));
            }
            _conversation.Add(new ChatMessage(ChatRole.Tool, results));
            if (Options.MaxTokens is { } max && tokens >= max)
            {
                await EndAsync(member, "budget_exhausted", $"max_tokens: {tokens} tokens used, the limit is {max}", iteration, tokens, null, cancellationToken);
                return;
            }
        }
        await EndAsync(member, "budget_exhausted", $"max_iterations: {Options.MaxIterations} model calls without a final answer", Options.MaxIterations, tokens, null, cancellationToken);
    }

    private async Task<AIContent> CallToolAsync(TopicMember member, FunctionCallContent call, CancellationToken cancellationToken)
    {
        if (Options.EnableReportFinding && call.Name == LlmConventions.ReportFindingTool)
        {
            var summary = call.Arguments?.TryGetValue("summary", out var s) == true ? Text(s) : null;
            if (string.IsNullOrEmpty(summary))
            {
                return new FunctionResultContent(call.CallId, "error: report_finding needs a non-empty 'summary'");
            }
            var details = call.Arguments?.TryGetValue("details", out var d) == true ? Text(d) : null;
            var published = await member.PublishAsync(AiActions.Finding, details is null ? new { summary } : new { summary, data = details }, null, cancellationToken);
            return new FunctionResultContent(call.CallId, $"published FINDING {published.EventId}");
        }
        if (!_invoker!.IsAllowed(call.Name))
        {
            AgentLogMessages.ToolRefused(Context.Logger, member.Actor, call.Name);
        }
        else if (ApprovalReason(call) is { } reason)
        {
            // Before the speculation journal: a person decides on the call itself, whatever it depends on.
            return await CallWithApprovalAsync(member, call, reason, cancellationToken);
        }
        else if (member.Consistency == Consistency.Eventual && _invoker.IsSideEffecting(call.Name)
            && _findingsRead.Where(id => !member.IsConfirmed(id)).ToList() is { Count: > 0 } provisional)
        {
            return await JournalAsync(member, call, provisional, cancellationToken);
        }
        var invocation = await _invoker.InvokeAsync(member, call.Name, call.Arguments, cancellationToken);
        AgentLogMessages.ToolCalled(Context.Logger, member.Actor, call.Name, invocation.Ok, (long)invocation.Elapsed.TotalMicroseconds);
        return new FunctionResultContent(call.CallId, invocation.Ok ? invocation.Result : "error: " + invocation.Error);
    }

    /// <summary>
    /// A side-effecting call made on findings not yet confirmed: it is published inside a speculation that depends on
    /// them and runs only when they are confirmed (at once if they already are by then); withdrawn, it never runs.
    /// </summary>
    private async Task<AIContent> JournalAsync(TopicMember member, FunctionCallContent call, IReadOnlyList<string> provisional, CancellationToken cancellationToken)
    {
        AgentEvent published;
        await using (var speculation = member.Speculate(provisional))
        {
            published = await _invoker!.JournalAsync(member, speculation, call.Name, call.Arguments, cancellationToken);
        }
        AgentLogMessages.ToolJournaled(Context.Logger, member.Actor, call.Name, string.Join(", ", provisional));
        return new FunctionResultContent(call.CallId, member.IsConfirmed(published.EventId) || provisional.All(member.IsConfirmed)
            ? $"ran: '{call.Name}' (call {published.EventId}) ran once the findings it depends on were confirmed; its TOOL_RESULT is in the topic"
            : $"journaled: '{call.Name}' (call {published.EventId}) is a side effect that depends on findings not yet confirmed [{string.Join(", ", provisional)}]; it runs when they are, and never if one is withdrawn");
    }

    /// <inheritdoc/>
    protected override ValueTask OnSpeculationAbortedAsync(Speculation aborted, CancellationToken cancellationToken)
    {
        AgentLogMessages.JournalDiscarded(Context.Logger, aborted.Id, aborted.AbortReason ?? "a dependency was withdrawn");
        return ValueTask.CompletedTask;
    }

    private static async Task PublishRequestedAsync(TopicMember member, ChatResponse response, CancellationToken cancellationToken)
    {
        foreach (var message in response.Messages)
        {
            if (message.AdditionalProperties?.TryGetValue(LlmConventions.PublishKey, out var value) == true && value is IEnumerable<PublishRequest> requests)
            {
                foreach (var request in requests)
                {
                    await member.PublishAsync(request.Action, request.Payload, null, cancellationToken);
                }
            }
        }
    }

    private async Task EndAsync(TopicMember member, string status, string reason, int iterations, long tokens, string? summary, CancellationToken cancellationToken)
    {
        _findingsRead.Clear(); // the next task's side effects depend on what it reads
        AgentLogMessages.TaskEnded(Context.Logger, member.Actor, status, reason);
        await member.PublishAsync(Actions.TaskComplete, new { status, reason, iterations, tokens, summary }, null, cancellationToken);
    }

    private ChatMessage AsData(AgentEvent e) => EventMessages.AsData(e, Options.MaxEventChars);

    private static bool IsAddressedToMe(AgentEvent e, string actor) => EventMessages.IsAddressedTo(e, actor);

    private static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        JsonElement e => e.GetRawText(),
        var other => other.ToString(),
    };
}
