namespace Murmur.Causality;

/// <summary>Options of a <see cref="CausalBuffer"/>.</summary>
public sealed record CausalBufferOptions
{
    /// <summary>The defaults documented on each property.</summary>
    public static CausalBufferOptions Default { get; } = new();

    /// <summary>The most events held while they wait for their predecessors; further ones are rejected as <see cref="RejectionKind.Full"/>.</summary>
    /// <value>65,536.</value>
    public int Capacity { get; init; } = 65_536;

    /// <summary>
    /// The most events of one sender (an actor, member or not) held while they wait; further ones are rejected as
    /// <see cref="RejectionKind.SenderFull"/>, so one sender cannot take the whole <see cref="Capacity"/>.
    /// </summary>
    /// <value>4,096.</value>
    public int MaxHeldPerSender { get; init; } = 4096;

    /// <summary>
    /// How far an entry may run ahead of what was delivered for its member: an event whose own entry is more than this
    /// past the sender's delivered count, or that needs more than this many undelivered events of another member, is
    /// rejected as <see cref="RejectionKind.Undeliverable"/> at once instead of held. Null holds any gap.
    /// </summary>
    /// <value>1,024. A node reading one ordered log uses <see cref="NodeDefault"/>'s smaller bound.</value>
    public ulong? MaxEntryGap { get; init; } = 1024;

    /// <summary>
    /// The defaults of a node's topics: an honest sender's events reach a log reader in order (everything an event
    /// depends on was appended before it), so held events are rare and short-lived. Gaps of more than 64 are refused at
    /// once, at most 256 events of one sender wait, and an event still waiting after 30 s is given up as undeliverable.
    /// </summary>
    public static CausalBufferOptions NodeDefault { get; } = new() { MaxEntryGap = 64, MaxHeldPerSender = 256, MaxWait = TimeSpan.FromSeconds(30) };

    /// <summary>
    /// How many delivered events per sender are remembered to tell a duplicate from a conflict. An older repeat
    /// of an already-delivered entry is still dropped as a duplicate, but its content can no longer be checked.
    /// Rounded up to a power of two.
    /// </summary>
    /// <value>1,024.</value>
    public int DuplicateWindow { get; init; } = 1024;

    /// <summary>The most roster members (clock entries) accepted.</summary>
    /// <value>1,024.</value>
    public int MaxMembers { get; init; } = 1024;

    /// <summary>
    /// True when delivered <c>JOIN</c>s from newcomers extend the roster; false for a fixed roster, where events
    /// from non-members and clocks longer than the roster are rejected at once.
    /// </summary>
    /// <value>true.</value>
    public bool RosterGrowsByJoin { get; init; } = true;

    /// <summary>How long an event may wait before <see cref="CausalBuffer.DrainExpired"/> gives it up; null waits forever.</summary>
    /// <value>null.</value>
    public TimeSpan? MaxWait { get; init; }

    /// <summary>When set, events naming another <c>topic</c> are rejected (events without a topic are accepted).</summary>
    /// <value>null.</value>
    public string? Topic { get; init; }

    /// <summary>The clock behind <see cref="MaxWait"/>.</summary>
    /// <value><see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive or <see cref="MaxWait"/> is negative.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Capacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(DuplicateWindow);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxMembers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxHeldPerSender);
        if (MaxEntryGap is 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEntryGap), "MaxEntryGap must be at least 1 (or null for no bound).");
        }
        ArgumentNullException.ThrowIfNull(TimeProvider);
        if (MaxWait is { } wait)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero);
        }
    }
}
