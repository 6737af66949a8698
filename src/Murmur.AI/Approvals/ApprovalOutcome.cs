namespace Murmur.AI.Approvals;

/// <summary>How an approval request ended.</summary>
public enum ApprovalOutcome
{
    /// <summary>An authorized principal approved it: the call runs (once).</summary>
    Approved,

    /// <summary>An authorized principal denied it: the call never runs; the reason is the tool's result.</summary>
    Denied,

    /// <summary>Nobody decided within <see cref="ApprovalOptions.Timeout"/>: the call never runs.</summary>
    Expired,
}
