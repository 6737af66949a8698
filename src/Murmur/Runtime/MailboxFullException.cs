using Murmur.Agents;

namespace Murmur.Runtime;

/// <summary>Thrown to a sender when a bounded mailbox is full and may not drop.</summary>
public sealed class MailboxFullException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public MailboxFullException(AgentId target, int capacity, MailboxFullMode mode)
        : base(mode == MailboxFullMode.Wait
            ? $"The mailbox of '{target}' is full ({capacity} messages); use SendAsync to wait for space."
            : $"The mailbox of '{target}' is full ({capacity} messages) and its mode is {mode}.")
    {
        Target = target;
        Capacity = capacity;
    }

    /// <summary>The agent whose mailbox is full.</summary>
    public AgentId Target { get; }

    /// <summary>The mailbox's capacity.</summary>
    public int Capacity { get; }
}
