namespace Murmur.AI.Approvals;

/// <summary>The decision on an approval request: the first authorized one in the log's order; later ones are ignored.</summary>
/// <param name="CallId">The call decided on.</param>
/// <param name="Outcome">Approved, denied or expired.</param>
/// <param name="Principal">Who decided (the decision event's actor; with signing, the node whose key signed it).</param>
/// <param name="Reason">The reason given, if any.</param>
public sealed record ApprovalDecision(string CallId, ApprovalOutcome Outcome, string Principal, string? Reason)
{
    /// <summary>The text the agent gets as the tool's result when the call does not run.</summary>
    public string RefusalText(string tool) => Outcome switch
    {
        ApprovalOutcome.Denied => $"denied: '{tool}' (call {CallId}) was denied by {Principal}{(Reason is null ? "" : ": " + Reason)}; it was not run",
        ApprovalOutcome.Expired => $"expired: nobody approved '{tool}' (call {CallId}) in time; it was not run",
        _ => $"approved by {Principal}",
    };
}
