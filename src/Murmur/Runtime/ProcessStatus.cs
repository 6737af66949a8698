namespace Murmur.Runtime;

/// <summary>The life cycle of a process. Only <see cref="Terminated"/> is final.</summary>
internal enum ProcessStatus
{
    /// <summary>Spawned; its first start is queued.</summary>
    Created,

    /// <summary>An instance exists and handles user messages.</summary>
    Running,

    /// <summary>The instance crashed; user messages wait for the supervisor's decision.</summary>
    Suspended,

    /// <summary>No instance; waits for a start (restart) or a terminate.</summary>
    Halted,

    /// <summary>Gone for good; its handle only produces dead letters.</summary>
    Terminated,
}
