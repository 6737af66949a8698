using Murmur.Runtime;
using Murmur.Supervision;

namespace Murmur.Agents;

/// <summary>How a child is supervised and what its mailbox is.</summary>
public sealed record SpawnOptions
{
    /// <summary>The defaults: permanent, the runtime's shutdown timeout, an unbounded mailbox.</summary>
    public static SpawnOptions Default { get; } = new();

    /// <summary>When the supervisor restarts this child.</summary>
    /// <value>Defaults to <see cref="Murmur.Agents.Restart.Permanent"/>.</value>
    public Restart Restart { get; init; } = Restart.Permanent;

    /// <summary>How long the supervisor waits for this child to stop before abandoning it; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</summary>
    /// <value>Defaults to <see langword="null"/>: the runtime's <see cref="AgentRuntimeOptions.ShutdownTimeout"/>.</value>
    public TimeSpan? ShutdownTimeout { get; init; }

    /// <summary>The child's mailbox.</summary>
    /// <value>Defaults to <see cref="MailboxOptions.Unbounded"/>.</value>
    public MailboxOptions Mailbox { get; init; } = MailboxOptions.Unbounded;

    /// <summary>The strategy this child applies to its own children, unless its agent overrides <see cref="Agent.SupervisorStrategy"/>.</summary>
    /// <value>Defaults to <see langword="null"/>: the runtime's <see cref="AgentRuntimeOptions.DefaultSupervisor"/>.</value>
    public SupervisorStrategy? Supervisor { get; init; }

    internal void Validate()
    {
        if (ShutdownTimeout is { } t && t < TimeSpan.Zero && t != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(ShutdownTimeout), t, "ShutdownTimeout must be positive, zero or Timeout.InfiniteTimeSpan.");
        }
        Mailbox.Validate();
    }
}
