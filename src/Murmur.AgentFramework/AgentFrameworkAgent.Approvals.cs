using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Murmur.AI.Approvals;

namespace Murmur.AgentFramework;

// Agent Framework's tool approvals, decided through Murmur's approvals topic: a ToolApprovalRequestContent of the
// agent becomes APPROVAL_REQUESTED (in the topic and the approvals topic); the decision is recorded in the topic and
// answered as a ToolApprovalResponseContent, after which the agent runs the tool (recorded as TOOL_CALL/TOOL_RESULT)
// or tells its model it was not approved. The agent's session is published only when its run ends, so a restart
// while a request waits asks again under a new call id (the old request expires unanswered).
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
        // A fresh id: the model's own call ids repeat across runs and restarts, and a decision must never carry over.
        var callId = "apc_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var args = JsonSerializer.SerializeToElement(new Dictionary<string, object?>(call?.Arguments ?? new Dictionary<string, object?>(), StringComparer.Ordinal), AIJsonUtilities.DefaultOptions);
        var reason = $"'{tool}' requires approval (Agent Framework tool approval request {request.RequestId})";
        await ApprovalSteps.AnnounceAsync(member, callId, tool, args, reason, cancellationToken).ConfigureAwait(false);
        var decision = await ApprovalSteps.DecideAsync(member, desk, callId, tool, args, reason, cancellationToken).ConfigureAwait(false);
        return request.CreateResponse(decision.Outcome == ApprovalOutcome.Approved, decision.Outcome == ApprovalOutcome.Approved ? decision.Reason : decision.RefusalText(tool));
    }
}
