using Murmur.Agents;

namespace Murmur.Supervision;

/// <summary>The reason a supervisor fails when its children restarted more often than its intensity allows.</summary>
public sealed class RestartIntensityExceededException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RestartIntensityExceededException(AgentId supervisor, AgentId child, int maxRestarts, TimeSpan period, Exception? lastFailure)
        : base($"Supervisor '{supervisor}' gave up: child '{child}' needed more than {maxRestarts} restart(s) within {period.TotalSeconds:0.###} s.", lastFailure)
    {
        Supervisor = supervisor;
        Child = child;
    }

    /// <summary>The supervisor that gave up.</summary>
    public AgentId Supervisor { get; }

    /// <summary>The child whose exit exceeded the intensity.</summary>
    public AgentId Child { get; }
}
