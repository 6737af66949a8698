namespace Murmur.Runtime;

/// <summary>What happens to queued user messages when an agent is shut down.</summary>
public enum ShutdownMailboxPolicy
{
    /// <summary>Once shutdown begins no agent starts another queued message; queued messages become dead letters (counted).</summary>
    Drop,

    /// <summary>The agent handles every queued message before it stops, within its shutdown timeout.</summary>
    Drain,
}
