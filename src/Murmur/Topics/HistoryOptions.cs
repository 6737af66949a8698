namespace Murmur.Topics;

/// <summary>How much of each topic's delivered history a node keeps in memory; what is older stays in the log.</summary>
/// <remarks>
/// A node never drops events a live local member has not been handed yet (so a slow member holds the window open;
/// bound it with <see cref="MurmurNodeOptions.MaxLag"/>). A member that needs older events — a restarted agent, a late
/// joiner — reads them back from the log through the same validation and causal delivery, or starts from its snapshot.
/// </remarks>
public sealed record HistoryOptions
{
    /// <summary>The defaults.</summary>
    public static HistoryOptions Default { get; } = new();

    /// <summary>The most delivered events kept per topic.</summary>
    /// <value>Defaults to 10,000.</value>
    public int MaxEvents { get; init; } = 10_000;

    /// <summary>The most bytes of delivered events (payloads, ids, clocks and their objects, estimated) kept per topic.</summary>
    /// <value>Defaults to 16 MiB.</value>
    public long MaxBytes { get; init; } = 16L * 1024 * 1024;

    internal void Validate()
    {
        if (MaxEvents < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEvents), MaxEvents, "History.MaxEvents must be at least 1.");
        }
        if (MaxBytes < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBytes), MaxBytes, "History.MaxBytes must be at least 1 KiB.");
        }
    }
}
