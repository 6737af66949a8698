namespace Murmur.Supervision;

/// <summary>The runtime stopped because a failure escalated out of its root supervisor.</summary>
public sealed class RuntimeFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RuntimeFailedException(Exception reason)
        : base($"The runtime stopped: a failure escalated out of the root supervisor: {reason?.Message}", reason)
    {
    }
}
