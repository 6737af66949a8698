namespace Murmur.Agents;

/// <summary>Thrown by a spawn that waits for the start when the agent's factory or <see cref="Agent.OnStartedAsync"/> failed.</summary>
public sealed class AgentStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AgentStartException(AgentId id, Exception inner)
        : base($"Agent '{id}' failed to start: {inner?.Message}", inner) => Id = id;

    /// <summary>The agent that failed to start.</summary>
    public AgentId Id { get; }
}
