using System.Text.Json;
using Microsoft.Extensions.AI;
using Murmur.AI.Approvals;
using Murmur.Events;
using Murmur.Topics;

namespace Murmur.AI.Agents;

// Tool calls that wait for a person. The call's TOOL_CALL and APPROVAL_REQUESTED go to the topic, the request to the
// approvals topic; the agent's turn waits for the decision (so a strict round waits too), records it in the topic
// (APPROVED / DENIED / APPROVAL_EXPIRED, "by" the principal) and only then runs the tool or answers why it did not.
// Recording the decision before running is what makes a restart safe: a call with a recorded approval and no result
// may have run (answered "outcome unknown"); one without a recorded decision has not, and waits again.
public partial class LlmAgent
{
    private string? ApprovalReason(FunctionCallContent call)
    {
        if (Options.RequireApproval.Contains(call.Name, StringComparer.Ordinal))
        {
            return $"'{call.Name}' requires approval (configuration)";
        }
        if (_invoker!.IsApprovalRequired(call.Name))
        {
            return $"'{call.Name}' requires approval (registered as approval-required)";
        }
        if (Options.ApprovalRule is { } rule)
        {
            var args = call.Arguments is null ? new Dictionary<string, object?>() : new Dictionary<string, object?>(call.Arguments, StringComparer.Ordinal);
            return rule(call.Name, args);
        }
        return null;
    }

    private async Task<AIContent> CallWithApprovalAsync(TopicMember member, FunctionCallContent call, string reason, CancellationToken cancellationToken)
    {
        var published = await _invoker!.PublishCallAsync(member, call.Name, call.Arguments, cancellationToken);
        var args = JsonSerializer.SerializeToElement(new Dictionary<string, object?>(call.Arguments ?? new Dictionary<string, object?>(), StringComparer.Ordinal), AIJsonUtilities.DefaultOptions);
        await ApprovalSteps.AnnounceAsync(member, published.EventId, call.Name, args, reason, cancellationToken);
        var outcome = await AwaitApprovalAsync(member, published.EventId, call.Name, call.Arguments, args, reason, cancellationToken);
        return new FunctionResultContent(call.CallId, outcome.Ok ? outcome.Result : "error: " + outcome.Error);
    }

    /// <summary>Requests (once) and waits for the decision on a published call, records it in the topic, then runs the call or answers it.</summary>
    private async Task<Tools.ToolInvocation> AwaitApprovalAsync(TopicMember member, string callId, string tool, IDictionary<string, object?>? arguments,
        JsonElement args, string reason, CancellationToken cancellationToken)
    {
        if (Options.Approvals is not { } desk)
        {
            return await _invoker!.AnswerNotRunAsync(member, callId, tool,
                $"not run: '{tool}' (call {callId}) needs approval, and this agent has no approval desk (LlmAgentOptions.Approvals)", cancellationToken);
        }
        AgentLogMessages.ApprovalRequested(Context.Logger, member.Actor, tool, callId);
        var decision = await ApprovalSteps.DecideAsync(member, desk, callId, tool, args, reason, cancellationToken);
        AgentLogMessages.ApprovalDecided(Context.Logger, member.Actor, tool, callId, decision.Outcome.ToString(), decision.Principal);
        return decision.Outcome == ApprovalOutcome.Approved
            ? await _invoker!.RunAsync(member, callId, tool, arguments, cancellationToken)
            : await _invoker!.AnswerNotRunAsync(member, callId, tool, decision.RefusalText(tool), cancellationToken);
    }

    /// <summary>
    /// After a restart, answers a call that was waiting for approval: a recorded approval means it may have run
    /// (null: the caller answers "outcome unknown"); a recorded denial or expiry answers it; otherwise it waits again.
    /// </summary>
    private async Task<Tools.ToolInvocation?> ResumeApprovalAsync(TopicMember member, AgentEvent call, IReadOnlyList<AgentEvent> history, CancellationToken cancellationToken)
    {
        string? requested = null, recorded = null;
        foreach (var e in history)
        {
            if (!string.Equals(e.Actor, member.Actor, StringComparison.Ordinal) || Read(e) is not { } p
                || !p.TryGetProperty("call_id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() != call.EventId)
            {
                continue;
            }
            if (e.Action == ApprovalActions.Requested)
            {
                requested ??= p.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : "approval required";
            }
            else if (e.Action is ApprovalActions.Approved or ApprovalActions.Denied or ApprovalActions.Expired)
            {
                recorded ??= e.Action;
            }
        }
        if (requested is null || recorded == ApprovalActions.Approved)
        {
            return null;
        }
        var payload = call.GetPayload();
        var tool = payload.GetProperty("tool").GetString()!;
        var args = payload.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Object ? a.Clone() : JsonSerializer.SerializeToElement(new Dictionary<string, object?>());
        var arguments = args.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal);
        if (recorded is not null)
        {
            var decision = Options.Approvals?.DecisionOf(call.EventId);
            return await _invoker!.AnswerNotRunAsync(member, call.EventId, tool,
                decision?.RefusalText(tool) ?? $"not run: '{tool}' (call {call.EventId}) was {(recorded == ApprovalActions.Denied ? "denied" : "not approved in time")}", cancellationToken);
        }
        return await AwaitApprovalAsync(member, call.EventId, tool, arguments, args, requested, cancellationToken);
    }
}
