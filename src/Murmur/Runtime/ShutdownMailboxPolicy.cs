namespace Murmur;

/// <summary>What happens to queued user messages when an agent is shut down.</summary>
public enum ShutdownMailboxPolicy
{
    /// <summary>Queued messages become dead letters (counted); the agent stops at once (Erlang's behaviour).</summary>
    Drop,

    /// <summary>The agent handles every queued message before it stops, within its shutdown timeout.</summary>
    Drain,
}
