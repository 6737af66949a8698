using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Murmur.AI.Approvals;
using Murmur.Events;
using Murmur.Topics;

namespace Murmur.AgentFramework;

// Agent Framework's tool approvals, decided through Murmur's approvals topic: a ToolApprovalRequestContent of the
// agent becomes APPROVAL_REQUESTED (in the topic and the approvals topic); the decision is recorded in the topic and
// answered as a ToolApprovalResponseContent, after which the agent runs the tool (recorded as TOOL_CALL/TOOL_RESULT)
// or tells its model it was not approved. A restarted agent runs the same inputs again; its requests get the same call
// ids (derived from the run's input events, the request's place in the run, the tool and its arguments), so it finds
// the request it made before the restart — and the decision, if one was made — instead of asking again.
public sealed partial class AgentFrameworkAgent
{
    private AITool WithApproval(AIFunction tool)
        => Options.RequireApproval.Contains(tool.Name, StringComparer.Ordinal) ? new ApprovalRequiredAIFunction(tool) : tool;

    private async Task<AIContent> DecideAsync(TopicMember member, ToolApprovalRequestContent request, CancellationToken cancellationToken)
    {
        var call = request.ToolCall as FunctionCallContent;
        var tool = call?.Name ?? "tool";
        if (Options.Approvals is not { } desk)
        {
            return request.CreateResponse(false, "not approved: this agent has no approval desk (AgentFrameworkAgentOptions.Approvals)");
        }
        var args = JsonSerializer.SerializeToElement(new Dictionary<string, object?>(call?.Arguments ?? new Dictionary<string, object?>(), StringComparer.Ordinal), AIJsonUtilities.DefaultOptions);
        var callId = CallIdFor(member.Actor, tool, args);
        var reason = $"'{tool}' requires approval (Agent Framework tool approval request {request.RequestId})";
        if (_announced.Add(callId))
        {
            await ApprovalSteps.AnnounceAsync(member, callId, tool, args, reason, cancellationToken).ConfigureAwait(false);
        }
        var decision = await ApprovalSteps.DecideAsync(member, desk, callId, tool, args, reason, cancellationToken).ConfigureAwait(false);
        return request.CreateResponse(decision.Outcome == ApprovalOutcome.Approved, decision.Outcome == ApprovalOutcome.Approved ? decision.Reason : decision.RefusalText(tool));
    }

    private readonly HashSet<string> _announced = new(StringComparer.Ordinal);

    /// <summary>
    /// The call id of the run's next approval request. Not the model's call id: those repeat across runs. Derived from
    /// the run's inputs when it has them (so a restart that runs them again asks under the same id); random for a run
    /// a restart does not repeat, so a decision never carries over to another run.
    /// </summary>
    private string CallIdFor(string actor, string tool, JsonElement args)
    {
        var ordinal = _approvalsInRun++;
        if (_runKey is not { } run)
        {
            return "apc_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        }
        var key = System.Text.Encoding.UTF8.GetBytes($"{actor}\n{run}\n{ordinal}\n{tool}\n{args.GetRawText()}");
        return "apc_" + Convert.ToHexStringLower(SHA256.HashData(key).AsSpan(0, 8));
    }

    /// <summary>Remembers the call ids of this agent's own <c>APPROVAL_REQUESTED</c> events (also those of an earlier instance).</summary>
    private void RememberAnnounced(AgentEvent own)
    {
        if (own.Action == ApprovalActions.Requested && PayloadJson.TryGetObject(own, ApprovalActions.Requested, out var root)
            && PayloadJson.GetString(root, "call_id") is { } callId)
        {
            _announced.Add(callId);
        }
    }
}
