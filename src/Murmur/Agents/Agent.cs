namespace Murmur;

/// <summary>
/// A lightweight, failure-isolated process: private state, a mailbox and handlers.
/// Subclass it and override <see cref="ReceiveAsync"/>; the runtime creates instances through the
/// factory given at spawn, again for every restart.
/// </summary>
/// <remarks>
/// The runtime calls the handlers of one instance one at a time, never concurrently: an async handler
/// keeps the agent's turn until it completes. An exception thrown by a handler never reaches the
/// thread pool or another agent; it is reported to the agent's supervisor as the exit reason.
/// </remarks>
public abstract class Agent
{
    private AgentProcess? _process;

    /// <summary>The agent's view of the runtime: itself, its parent, sending, spawning, monitoring.</summary>
    /// <exception cref="InvalidOperationException">Accessed before the runtime started the agent (e.g. in a constructor).</exception>
    protected IAgentContext Context => _process ?? throw new InvalidOperationException(
        "The agent's Context is available from OnStartedAsync on; it is not set yet in the constructor.");

    /// <summary>
    /// The strategy this agent applies to its own children; <see langword="null"/> means the one given in
    /// <see cref="SpawnOptions.Supervisor"/>, else the runtime's default.
    /// </summary>
    protected virtual SupervisorStrategy? SupervisorStrategy => null;

    internal SupervisorStrategy? ChildStrategy => SupervisorStrategy;

    internal void Attach(AgentProcess process) => _process = process;

    // The runtime calls the protected handlers through these, so subclasses in any assembly override them as plain `protected`.
    internal ValueTask InvokeStartedAsync(CancellationToken cancellationToken) => OnStartedAsync(cancellationToken);

    internal ValueTask InvokeReceiveAsync(object message, CancellationToken cancellationToken) => ReceiveAsync(message, cancellationToken);

    internal ValueTask InvokeStoppedAsync(ExitReason reason, CancellationToken cancellationToken) => OnStoppedAsync(reason, cancellationToken);

    /// <summary>Runs before any message is handled, after every (re)start.</summary>
    /// <param name="cancellationToken">Cancelled when the runtime shuts down.</param>
    protected virtual ValueTask OnStartedAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Handles one message. <see cref="Down"/> and <see cref="Exit"/> notifications arrive here too.</summary>
    /// <param name="message">The message; <see cref="IAgentContext.Sender"/> tells who sent it.</param>
    /// <param name="cancellationToken">Cancelled when the runtime shuts down.</param>
    protected abstract ValueTask ReceiveAsync(object message, CancellationToken cancellationToken);

    /// <summary>Runs when this instance ends: on stop, before a restart replaces it, or after a crash.</summary>
    /// <param name="reason">Why the instance ends.</param>
    /// <param name="cancellationToken">Cancelled when the runtime shuts down.</param>
    protected virtual ValueTask OnStoppedAsync(ExitReason reason, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Creates an agent from a handler delegate, for small agents that need no class of their own.</summary>
    public static Func<Agent> FromHandler(Func<IAgentContext, object, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return () => new DelegateAgent(handler);
    }

    private sealed class DelegateAgent(Func<IAgentContext, object, ValueTask> handler) : Agent
    {
        protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
            => handler(Context, message);
    }
}
