namespace Murmur.Events;

/// <summary>
/// The well-known values of <see cref="AgentEvent.Action"/>. The action is an open string: any other value
/// is carried through untouched.
/// </summary>
public static class Actions
{
    /// <summary>A member joins a topic; the log's order of joins fixes roster indices.</summary>
    public const string Join = "JOIN";

    /// <summary>A member leaves a topic.</summary>
    public const string Leave = "LEAVE";

    /// <summary>A free-form message to the other members.</summary>
    public const string Message = "MESSAGE";

    /// <summary>An agent declares its sub-task complete.</summary>
    public const string TaskComplete = "TASK_COMPLETE";

    /// <summary>An agent withdraws an earlier event; payload described by <see cref="Retraction"/>.</summary>
    public const string Retract = "RETRACT";

    /// <summary>A member ends its round in a strict topic.</summary>
    public const string RoundDone = "ROUND_DONE";

    /// <summary>Speculative work based on provisional events is confirmed.</summary>
    public const string SpeculationCommit = "SPECULATION_COMMIT";

    /// <summary>Speculative work based on provisional events is abandoned.</summary>
    public const string SpeculationAbort = "SPECULATION_ABORT";

    /// <summary>A liveness signal.</summary>
    public const string Heartbeat = "HEARTBEAT";

    /// <summary>A member is removed from a topic by the others.</summary>
    public const string Evict = "EVICT";

    /// <summary>
    /// A node takes an agent over (<c>{"agent","node","epoch"}</c>, empty clock, like a <c>JOIN</c>): from its position in the
    /// topic on, only events of that epoch are accepted from the agent; the first claim of an epoch in the log wins.
    /// </summary>
    public const string Claim = "CLAIM";

    /// <summary>A node was declared down (<c>{"node","incarnation"}</c>), in the fleet topic; its agents are claimed by others.</summary>
    public const string NodeDown = "NODE_DOWN";

    /// <summary>
    /// An agent's saved state in a topic, kept in the snapshot topic of that agent (not in the task's topic): a restarted
    /// agent restores it and is handed only the events after it.
    /// </summary>
    public const string Snapshot = "SNAPSHOT";

    /// <summary>Where a node can resume following a topic without reading it from the start (its roster and clock at a log position).</summary>
    public const string Checkpoint = "CHECKPOINT";
}
