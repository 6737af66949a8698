namespace Murmur.Topics;

/// <summary>Settings of a topic, written into the first <c>JOIN</c> so every node uses the same ones.</summary>
public sealed record TopicOptions
{
    /// <summary>The defaults.</summary>
    public static TopicOptions Default { get; } = new();

    /// <summary>Strict topics: no round closes before this many members joined (so the first member does not run ahead alone).</summary>
    /// <value>Defaults to 1.</value>
    public int MinMembers { get; init; } = 1;

    internal void Validate()
    {
        if (MinMembers is < 1 or > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MinMembers), MinMembers, "MinMembers must be between 1 and 1024.");
        }
    }
}
