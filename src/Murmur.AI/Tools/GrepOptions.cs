namespace Murmur.AI.Tools;

/// <summary>Limits of <c>grep_search</c>.</summary>
public sealed record GrepOptions
{
    /// <summary>The defaults.</summary>
    public static GrepOptions Default { get; } = new();

    /// <summary>Files looked at, at most.</summary>
    /// <value>10 000.</value>
    public int MaxFiles { get; init; } = 10_000;

    /// <summary>Matches returned, at most; the search stops at the limit and says so.</summary>
    /// <value>200.</value>
    public int MaxMatches { get; init; } = 200;

    /// <summary>Files larger than this are skipped.</summary>
    /// <value>2 MiB.</value>
    public long MaxFileBytes { get; init; } = 2 * 1024 * 1024;

    /// <summary>Bytes read over the whole search, at most.</summary>
    /// <value>64 MiB.</value>
    public long MaxTotalBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>A matching line longer than this is cut in the result.</summary>
    /// <value>400 characters.</value>
    public int MaxLineChars { get; init; } = 400;

    /// <summary>The .NET regex match timeout per line; a timeout ends the search and is reported.</summary>
    /// <value>250 ms.</value>
    public TimeSpan MatchTimeout { get; init; } = TimeSpan.FromMilliseconds(250);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFiles, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMatches, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFileBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTotalBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLineChars, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MatchTimeout, TimeSpan.Zero);
    }
}
