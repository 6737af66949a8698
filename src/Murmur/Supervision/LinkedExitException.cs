using Murmur.Agents;

namespace Murmur.Supervision;

/// <summary>The reason an agent ends when a linked agent exited abnormally and it does not trap exits.</summary>
public sealed class LinkedExitException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LinkedExitException(AgentId linked, ExitReason reason)
        : base($"Linked agent '{linked}' exited: {reason}.", reason?.Exception)
    {
        Linked = linked;
        Reason = reason!;
    }

    /// <summary>The linked agent that exited.</summary>
    public AgentId Linked { get; }

    /// <summary>Its exit reason.</summary>
    public ExitReason Reason { get; }
}
