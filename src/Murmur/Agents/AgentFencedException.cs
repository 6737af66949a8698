namespace Murmur.Agents;

/// <summary>Thrown when a node spawns (or resumes) an agent that another node took over: it must claim the agent first.</summary>
public sealed class AgentFencedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public AgentFencedException(string agent, string topic, string? owner, ulong epoch)
        : base($"'{agent}' in topic '{topic}' is owned by node '{owner ?? "(unknown)"}' at epoch {epoch}; this node may not run it (it was taken over)")
    {
        Agent = agent;
        Owner = owner;
        Epoch = epoch;
    }

    /// <summary>The agent.</summary>
    public string Agent { get; }

    /// <summary>The node that owns it now.</summary>
    public string? Owner { get; }

    /// <summary>The epoch it owns it at.</summary>
    public ulong Epoch { get; }
}
