using System.Text.Json;
using Murmur.Events;
using Murmur.Topics;

namespace Murmur.AI.Approvals;

/// <summary>
/// The steps every agent kind takes for a call that needs approval (LlmAgent, Agent Framework agents): announce the
/// request in the topic, request it in the approvals topic and wait, and record the decision in the topic before
/// acting on it (so a restart can tell a call that may have run from one that cannot have).
/// </summary>
internal static class ApprovalSteps
{
    /// <summary>Publishes <c>APPROVAL_REQUESTED {call_id, tool, args, reason}</c> in the agent's topic.</summary>
    public static Task<AgentEvent> AnnounceAsync(TopicMember member, string callId, string tool, JsonElement args, string reason, CancellationToken cancellationToken)
        => member.PublishRawAsync(ApprovalActions.Requested, JsonObjects.Build(w =>
        {
            w.WriteString("call_id", callId);
            w.WriteString("tool", tool);
            w.WritePropertyName("args");
            args.WriteTo(w);
            w.WriteString("reason", reason);
        }), null, cancellationToken);

    /// <summary>Requests the call on <paramref name="desk"/> (once), waits for the decision and records it in the topic with <c>"by"</c>.</summary>
    public static async Task<ApprovalDecision> DecideAsync(TopicMember member, ApprovalDesk desk, string callId, string tool, JsonElement args, string reason, CancellationToken cancellationToken)
    {
        var request = await desk.RequestAsync(callId, member.Topic, member.Actor, tool, args, reason, cancellationToken).ConfigureAwait(false);
        var decision = await desk.WaitForDecisionAsync(request, cancellationToken).ConfigureAwait(false);
        var action = decision.Outcome switch
        {
            ApprovalOutcome.Approved => ApprovalActions.Approved,
            ApprovalOutcome.Denied => ApprovalActions.Denied,
            _ => ApprovalActions.Expired,
        };
        await member.PublishRawAsync(action, JsonObjects.Build(w =>
        {
            w.WriteString("call_id", callId);
            w.WriteString("by", decision.Principal);
            if (decision.Reason is { } why)
            {
                w.WriteString("reason", why);
            }
        }), null, cancellationToken).ConfigureAwait(false);
        return decision;
    }
}
