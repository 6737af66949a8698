using Microsoft.Extensions.Logging;
using Murmur.Runtime;

namespace Murmur.Agents;

/// <summary>What a running agent can do: know itself, send, ask, spawn and supervise, monitor and link.</summary>
/// <remarks>Use it only from the agent's own handlers; it is not thread-safe beyond that.</remarks>
public interface IAgentContext
{
    /// <summary>This agent's handle.</summary>
    AgentRef Self { get; }

    /// <summary>This agent's id.</summary>
    AgentId Id { get; }

    /// <summary>The supervisor; <see langword="null"/> only for the runtime's root.</summary>
    AgentRef? Parent { get; }

    /// <summary>The sender of the message being handled, if it had one.</summary>
    AgentRef? Sender { get; }

    /// <summary>The runtime hosting this agent.</summary>
    AgentRuntime Runtime { get; }

    /// <summary>The runtime's logger for agents.</summary>
    ILogger Logger { get; }

    /// <summary>The runtime's clock; tests replace it with a fake.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>This agent's live children, in start order.</summary>
    IReadOnlyList<AgentRef> Children { get; }

    /// <summary>When true, exits of linked agents arrive as <see cref="Exit"/> messages instead of ending this agent.</summary>
    bool TrapExit { get; set; }

    /// <summary>Spawns an anonymous child supervised by this agent.</summary>
    AgentRef Spawn(Func<Agent> factory, SpawnOptions? options = null);

    /// <summary>Spawns a named child supervised by this agent.</summary>
    /// <exception cref="AgentIdConflictException">A live agent of the runtime already has this id.</exception>
    AgentRef Spawn(AgentId id, Func<Agent> factory, SpawnOptions? options = null);

    /// <summary>Spawns a named child and waits until its <see cref="Agent.OnStartedAsync"/> completed, so children start one after the other as in OTP.</summary>
    /// <exception cref="AgentStartException">The child's factory or start handler threw; the child was not kept.</exception>
    Task<AgentRef> SpawnAsync(AgentId id, Func<Agent> factory, SpawnOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Sends a message with this agent as the sender.</summary>
    void Send(AgentRef target, object message);

    /// <summary>Answers the sender of the message being handled; a dead letter if there is none.</summary>
    void Reply(object message);

    /// <summary>Sends a request and waits for the reply.</summary>
    /// <exception cref="TimeoutException">No reply within <paramref name="timeout"/>.</exception>
    Task<TReply> AskAsync<TReply>(AgentRef target, object message, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Asks to receive a <see cref="Down"/> message when <paramref name="target"/> terminates (at once if it already has).</summary>
    void Monitor(AgentRef target);

    /// <summary>Cancels a <see cref="Monitor"/>.</summary>
    void Demonitor(AgentRef target);

    /// <summary>Links this agent with <paramref name="target"/>: an abnormal exit of either ends the other unless it traps exits.</summary>
    void Link(AgentRef target);

    /// <summary>Removes a link.</summary>
    void Unlink(AgentRef target);

    /// <summary>Ends this agent with a normal exit once the current handler returns (its supervisor applies the restart type).</summary>
    void Stop();

    /// <summary>Stops a child of this agent (a supervisor-initiated shutdown: never restarted).</summary>
    /// <exception cref="InvalidOperationException"><paramref name="child"/> is not a child of this agent.</exception>
    Task StopAsync(AgentRef child);
}
