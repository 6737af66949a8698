namespace Murmur.Topics;

/// <summary>Where a speculation stands.</summary>
public enum SpeculationState
{
    /// <summary>The agent is still working inside it (before it was disposed).</summary>
    Open,

    /// <summary>The work is done; it waits for its dependencies to be confirmed or withdrawn.</summary>
    Pending,

    /// <summary>Every dependency was confirmed: its journaled side effects ran and <c>SPECULATION_COMMIT</c> was published.</summary>
    Committed,

    /// <summary>A dependency was withdrawn: its side effects were discarded and <c>SPECULATION_ABORT</c> was published.</summary>
    Aborted,
}
