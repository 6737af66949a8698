namespace Murmur.AI.Approvals;

/// <summary>Who may decide on approval requests and how long a request waits.</summary>
public sealed record ApprovalOptions
{
    /// <summary>The defaults: anyone whose decision passes the log's checks may decide; requests wait for an hour.</summary>
    public static ApprovalOptions Default { get; } = new();

    /// <summary>
    /// The principals allowed to approve or deny (the decision event's actor; with signing on, the node of the key that
    /// signed it). A decision by anyone else is refused with a reason (<see cref="ApprovalDesk.Refused"/>) and ignored.
    /// </summary>
    /// <value>null: any principal. Without signing anyone who can write to the log can then decide; set it, and sign.</value>
    public IReadOnlyList<string>? Approvers { get; init; }

    /// <summary>How long a request waits for a decision; then it expires and the call never runs. Null waits for ever.</summary>
    /// <value>One hour.</value>
    public TimeSpan? Timeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Checks the ranges.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is not positive.</exception>
    public void Validate()
    {
        if (Timeout is { } timeout)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(Timeout));
        }
    }

    /// <summary>True when <paramref name="principal"/> may decide.</summary>
    public bool MayDecide(string principal) => Approvers is null || Approvers.Contains(principal, StringComparer.Ordinal);
}
