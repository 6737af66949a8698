namespace Murmur;

/// <summary>A log operation failed in the transport (connection lost, broker refused, timeout).</summary>
public class EventLogException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EventLogException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public EventLogException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public EventLogException(string message)
        : base(message)
    {
    }
}
