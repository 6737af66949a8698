namespace Murmur.Agents;

/// <summary>Thrown when spawning an agent with an id that a live agent of the runtime already has.</summary>
public sealed class AgentIdConflictException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="id"/>.</summary>
    public AgentIdConflictException(AgentId id)
        : base($"An agent with id '{id}' is already alive in this runtime; agent ids must be unique.") => Id = id;

    /// <summary>The id that was taken.</summary>
    public AgentId Id { get; }
}
