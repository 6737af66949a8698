using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Murmur.Agents;
using Murmur.Supervision;

namespace Murmur.Runtime;

/// <summary>Settings of one runtime (node).</summary>
public sealed record AgentRuntimeOptions
{
    /// <summary>The defaults.</summary>
    public static AgentRuntimeOptions Default { get; } = new();

    /// <summary>The clock for timeouts, restart intensity and backoff.</summary>
    /// <value>Defaults to <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where the runtime logs.</summary>
    /// <value>Defaults to <see cref="NullLoggerFactory.Instance"/>.</value>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>The most user messages an agent handles in one turn before yielding its thread (fairness).</summary>
    /// <value>Defaults to 256.</value>
    public int Throughput { get; init; } = 256;

    /// <summary>The strategy of the root supervisor, which supervises agents spawned on the runtime.</summary>
    /// <value>Defaults to <see cref="SupervisorStrategy.Default"/>.</value>
    public SupervisorStrategy RootSupervisor { get; init; } = SupervisorStrategy.Default;

    /// <summary>The strategy of agents that neither override <see cref="Agent.SupervisorStrategy"/> nor set <see cref="SpawnOptions.Supervisor"/>.</summary>
    /// <value>Defaults to <see cref="SupervisorStrategy.Default"/>.</value>
    public SupervisorStrategy DefaultSupervisor { get; init; } = SupervisorStrategy.Default;

    /// <summary>How long a supervisor waits for a child to stop before abandoning it.</summary>
    /// <value>Defaults to 5 seconds.</value>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>What shutdown does with queued user messages.</summary>
    /// <value>Defaults to <see cref="ShutdownMailboxPolicy.Drop"/>.</value>
    public ShutdownMailboxPolicy ShutdownMailbox { get; init; } = ShutdownMailboxPolicy.Drop;

    /// <summary>The default timeout of an ask.</summary>
    /// <value>Defaults to 30 seconds.</value>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Seed for restart-backoff jitter; <see langword="null"/> seeds at random.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public int? RandomSeed { get; init; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(TimeProvider);
        ArgumentNullException.ThrowIfNull(LoggerFactory);
        ArgumentNullException.ThrowIfNull(RootSupervisor);
        ArgumentNullException.ThrowIfNull(DefaultSupervisor);
        if (Throughput < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Throughput), Throughput, "Throughput must be at least 1.");
        }
        if (ShutdownTimeout < TimeSpan.Zero && ShutdownTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(ShutdownTimeout), ShutdownTimeout, "ShutdownTimeout must be positive or Timeout.InfiniteTimeSpan.");
        }
        if (AskTimeout <= TimeSpan.Zero && AskTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(AskTimeout), AskTimeout, "AskTimeout must be positive or Timeout.InfiniteTimeSpan.");
        }
        RootSupervisor.Validate();
        DefaultSupervisor.Validate();
    }
}
