using System.Text.Json;
using Microsoft.Extensions.AI;
using Murmur.AI.Events;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Topics;

namespace Murmur.AI.Agents;

// Restart from the log: an agent whose earlier incarnation (in this process or one that died) acted in a topic
// rebuilds what it knew from the topic's history and carries on where it stopped, running no tool call twice.
public partial class LlmAgent
{
    // Per topic, the clock of this agent's last event there when it started: every event at or before it was
    // already acted on by an earlier incarnation (had it acted, its action would follow the event causally).
    private readonly Dictionary<string, VectorClock> _actedUpTo = new(StringComparer.Ordinal);

    /// <summary>
    /// Reads the agent's own events from its topics' histories: returns the topic whose last own event is not a
    /// <c>TASK_COMPLETE</c> (a task to resume), and whether the goal topic shows any earlier activity.
    /// </summary>
    private async Task<(TopicMember? Interrupted, bool GoalStarted)> ReadEarlierIncarnationAsync(CancellationToken cancellationToken)
    {
        TopicMember? interrupted = null;
        var goalStarted = false;
        foreach (var member in Topics)
        {
            AgentEvent? last = null;
            await foreach (var e in member.ReadHistoryAsync(cancellationToken))
            {
                if (IsOwnWork(e, member.Actor))
                {
                    last = e;
                }
            }
            if (last is null)
            {
                continue;
            }
            _actedUpTo[member.Topic] = last.Clock;
            if (last.Action != Actions.TaskComplete)
            {
                interrupted ??= member;
            }
            if (Options.Topic is null ? ReferenceEquals(member, Topics[0]) : string.Equals(member.Topic, Options.Topic, StringComparison.Ordinal))
            {
                goalStarted = true;
            }
        }
        return (interrupted, goalStarted);
    }

    private static bool IsOwnWork(AgentEvent e, string actor)
        => string.Equals(e.Actor, actor, StringComparison.Ordinal)
            && e.Action is AiActions.ToolCall or AiActions.ToolResult or Actions.Message or AiActions.Finding or Actions.TaskComplete;

    /// <summary>True when an earlier incarnation already acted on <paramref name="e"/> (it is at or before its last own event).</summary>
    private bool ActedOnBefore(string topic, AgentEvent e)
        => _actedUpTo.TryGetValue(topic, out var upTo) && e.Clock.Compare(upTo) is ClockOrder.Before or ClockOrder.Equal;

    private async Task ResumeAsync(TopicMember member, CancellationToken cancellationToken)
    {
        var history = new List<AgentEvent>();
        await foreach (var e in member.ReadHistoryAsync(cancellationToken))
        {
            history.Add(e);
        }
        var fromViews = _conversation.Skip(1).ToList();
        _conversation.RemoveRange(1, _conversation.Count - 1);
        if (Options.Goal is { } goal)
        {
            _conversation.Add(new ChatMessage(ChatRole.User, goal));
        }
        var answered = history.Where(e => string.Equals(e.Actor, member.Actor, StringComparison.Ordinal) && e.Action == AiActions.ToolResult)
            .Select(e => ToolResult.TryRead(e, out var r) ? r!.CallId : null).ToHashSet(StringComparer.Ordinal);
        var pending = new List<AgentEvent>();
        var lastEnd = -1;
        for (var i = 0; i < history.Count; i++)
        {
            if (history[i].Action == Actions.TaskComplete && string.Equals(history[i].Actor, member.Actor, StringComparison.Ordinal))
            {
                lastEnd = i;
            }
        }
        _findingsRead.Clear();
        for (var i = 0; i < history.Count; i++)
        {
            var e = history[i];
            if (!string.Equals(e.Actor, member.Actor, StringComparison.Ordinal))
            {
                if (ActedOnBefore(member.Topic, e) && IsInput(e, member.Actor))
                {
                    if (e.Action == AiActions.Finding && i > lastEnd)
                    {
                        _findingsRead.Add(e.EventId);
                    }
                    _conversation.Add(AsData(e));
                }
                continue;
            }
            switch (e.Action)
            {
                case AiActions.ToolCall when Read(e) is { } call && call.TryGetProperty("tool", out var named) && named.ValueKind == JsonValueKind.String:
                    var args = call.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Object
                        ? a.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal)
                        : [];
                    _conversation.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(e.EventId, named.GetString()!, args)]));
                    if (!answered.Contains(e.EventId))
                    {
                        pending.Add(e);
                    }
                    break;
                case AiActions.ToolResult when ToolResult.TryRead(e, out var result) && result!.CallId is { } callId:
                    _conversation.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(callId, result.IsError ? "error: " + ErrorOf(e) : result.Result)]));
                    break;
                case Actions.Message when Read(e) is { } message && message.TryGetProperty("text", out var text):
                    _conversation.Add(new ChatMessage(ChatRole.Assistant, text.GetString()));
                    break;
            }
        }
        // A call the earlier incarnation made but never saw answered: a remote one is asked for again under its
        // call id (its host answers it once); a local one may or may not have run, so it is not run again.
        _invoker ??= new Tools.ToolInvoker(_tools, Options.AllowedTools, Options.TimeProvider ?? Context.TimeProvider);
        var committed = history.Where(e => string.Equals(e.Actor, member.Actor, StringComparison.Ordinal) && e.Action == Actions.SpeculationCommit)
            .SelectMany(e => Read(e) is { } p && p.TryGetProperty("events", out var ids) && ids.ValueKind == JsonValueKind.Array ? ids.EnumerateArray().Select(i => i.GetString()) : [])
            .ToHashSet(StringComparer.Ordinal);
        foreach (var call in pending)
        {
            var neverRan = call.DependsOn.Count > 0 && !committed.Contains(call.EventId);
            var outcome = await ResumeApprovalAsync(member, call, history, cancellationToken)
                ?? await _invoker.CompleteInterruptedAsync(member, call, neverRan, cancellationToken);
            _conversation.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.EventId, outcome.Ok ? outcome.Result : "error: " + outcome.Error)]));
        }
        _conversation.AddRange(fromViews);
        AgentLogMessages.TaskResumed(Context.Logger, member.Actor, member.Topic, pending.Count);
        await RunTaskAsync(member, cancellationToken);
    }

    private bool IsInput(AgentEvent e, string actor)
        => (e.Action == Actions.Message && IsAddressedToMe(e, actor)) || (e.Action == AiActions.Finding && Options.ReactToFindings && Finding.TryRead(e, out _));

    private static JsonElement? Read(AgentEvent e)
    {
        try
        {
            var payload = e.GetPayload();
            return payload.ValueKind == JsonValueKind.Object ? payload : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string ErrorOf(AgentEvent e)
        => Read(e) is { } p && p.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString()! : "the tool failed";
}
