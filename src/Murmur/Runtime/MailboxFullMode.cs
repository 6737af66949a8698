using Murmur.Agents;

namespace Murmur.Runtime;

/// <summary>What a bounded mailbox does with a message that arrives when it is full.</summary>
public enum MailboxFullMode
{
    /// <summary><see cref="AgentRef.SendAsync"/> waits for space; a non-waiting send fails with <see cref="MailboxFullException"/>.</summary>
    Wait,

    /// <summary>The arriving message is dropped (counted and logged).</summary>
    DropNewest,

    /// <summary>The oldest queued message is dropped to make room (counted and logged).</summary>
    DropOldest,

    /// <summary>The sender gets a <see cref="MailboxFullException"/>.</summary>
    FailSender,
}
