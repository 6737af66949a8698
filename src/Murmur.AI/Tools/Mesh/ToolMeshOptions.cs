namespace Murmur.AI.Tools.Mesh;

/// <summary>How a node takes part in a <see cref="ToolMesh"/>.</summary>
public sealed record ToolMeshOptions
{
    /// <summary>The defaults: every registered tool served, 30 s per remote call, 3 append attempts.</summary>
    public static ToolMeshOptions Default { get; } = new();

    /// <summary>The tools this node serves to other nodes; <see langword="null"/> (the default) serves every registered tool.</summary>
    /// <remarks>A tool left out still runs for agents of this node; other nodes neither see it nor can call it.</remarks>
    public IReadOnlyList<string>? ExportedTools { get; init; }

    /// <summary>How long a caller waits for a remote tool's <c>TOOL_RESULT</c> (default 30 s).</summary>
    /// <remarks>The deadline travels with the call: a host that reads the call after it (when clocks agree) does not start the tool.</remarks>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a caller waits for a remote <c>SPAWNED</c> (default 30 s).</summary>
    public TimeSpan SpawnTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether the host claims calls of read-only tools too (default false). A side-effecting tool's call is always
    /// claimed in the log (<c>TOOL_STARTED</c>) before it runs, so a host that dies mid-call answers "outcome unknown"
    /// after its restart instead of running it again. A read-only tool's call is not: it saves an append per call, and
    /// a host that dies mid-call simply runs it again after its restart (running a read-only tool twice changes nothing).
    /// Duplicated or retried requests never run any tool twice while the host lives.
    /// </summary>
    public bool ClaimReadOnlyTools { get; init; }

    /// <summary>How many times a request is appended before the call fails (default 3); the host runs it at most once whatever arrives.</summary>
    public int AppendAttempts { get; init; } = 3;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (CallTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(CallTimeout), CallTimeout, "CallTimeout must be positive.");
        }
        if (SpawnTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SpawnTimeout), SpawnTimeout, "SpawnTimeout must be positive.");
        }
        if (AppendAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(AppendAttempts), AppendAttempts, "AppendAttempts must be at least 1.");
        }
    }
}
