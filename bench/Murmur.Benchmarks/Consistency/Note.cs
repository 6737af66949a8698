namespace Murmur.Benchmarks.Consistency;

/// <summary>A direct message of the orchestrated system: what would be an event on a topic.</summary>
/// <param name="Kind">An action (FINDING, RETRACT, TASK_COMPLETE, TOOL_RESULT, PROPOSAL, REVIEW) or a request (DRAFT, REVIEW_REQUEST).</param>
/// <param name="From">The agent that produced it.</param>
/// <param name="Key">The finding (or step) it is about.</param>
internal sealed record Note(string Kind, string From, string Key)
{
    public const string DraftRequest = "DRAFT_REQUEST";
    public const string ReviewRequest = "REVIEW_REQUEST";
}
