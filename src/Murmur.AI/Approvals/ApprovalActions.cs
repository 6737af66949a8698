namespace Murmur.AI.Approvals;

/// <summary>The actions of the approval protocol: a request, and the decision that answers it first in the log.</summary>
public static class ApprovalActions
{
    /// <summary>A tool call waits for a person: <c>{call_id, tool, args, reason, topic}</c>.</summary>
    public const string Requested = "APPROVAL_REQUESTED";

    /// <summary>An authorized principal allowed the call: <c>{call_id, reason?}</c>; the principal is the event's actor.</summary>
    public const string Approved = "APPROVED";

    /// <summary>An authorized principal refused the call: <c>{call_id, reason}</c>; the agent gets the reason as the tool's result.</summary>
    public const string Denied = "DENIED";

    /// <summary>Nobody decided in time: <c>{call_id}</c>, appended by the waiting agent's node; the call never runs.</summary>
    public const string Expired = "APPROVAL_EXPIRED";
}
