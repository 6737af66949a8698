namespace Murmur.Runtime;

/// <summary>The size and overflow policy of an agent's mailbox.</summary>
/// <remarks>
/// A mailbox holds no storage while empty: its ring buffer is rented from a shared pool when the first
/// message arrives and returned when the agent's turn ends with the mailbox empty.
/// </remarks>
public sealed record MailboxOptions
{
    /// <summary>An unbounded mailbox (the default).</summary>
    public static MailboxOptions Unbounded { get; } = new();

    /// <summary>The most user messages the mailbox holds; 0 means unbounded.</summary>
    /// <value>Defaults to 0 (unbounded).</value>
    public int Capacity { get; init; }

    /// <summary>What happens to a message that arrives when the mailbox is full.</summary>
    /// <value>Defaults to <see cref="MailboxFullMode.Wait"/>.</value>
    public MailboxFullMode FullMode { get; init; } = MailboxFullMode.Wait;

    /// <summary>A bounded mailbox.</summary>
    public static MailboxOptions Bounded(int capacity, MailboxFullMode fullMode = MailboxFullMode.Wait)
    {
        var options = new MailboxOptions { Capacity = capacity, FullMode = fullMode };
        options.Validate();
        return options;
    }

    internal bool IsBounded => Capacity > 0;

    internal void Validate()
    {
        if (Capacity < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Capacity), Capacity, "Mailbox capacity must be 0 (unbounded) or positive.");
        }
        if (!Enum.IsDefined(FullMode))
        {
            throw new ArgumentOutOfRangeException(nameof(FullMode), FullMode, "Unknown MailboxFullMode.");
        }
    }
}
