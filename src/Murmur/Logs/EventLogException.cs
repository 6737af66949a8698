namespace Murmur.Logs;

/// <summary>
/// A log operation failed in the transport (connection lost, broker refused, timeout). Its flags say what a caller
/// can decide on: whether trying again may succeed (<see cref="IsTransient"/>), whether an append may have stored
/// the record anyway (<see cref="OutcomeUnknown"/>), and whether the failure is the configuration's or the
/// credentials' (<see cref="IsConfigurationError"/>), which no retry fixes.
/// </summary>
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

    /// <summary>
    /// True when the same call may succeed if tried again later (no answer in time, a leader being elected, a broker
    /// restarting): the transport already retried it within its own policy, so a caller retries with a longer view.
    /// </summary>
    /// <value>Defaults to <see langword="false"/>.</value>
    public bool IsTransient { get; init; }

    /// <summary>
    /// True when a failed append may have stored the record (the request was sent but no answer came). Appending again
    /// with the same event id is safe: the log keeps one copy (see <see cref="IEventLog.AppendAsync"/>).
    /// </summary>
    /// <value>Defaults to <see langword="false"/>.</value>
    public bool OutcomeUnknown { get; init; }

    /// <summary>
    /// True when the transport refused the credentials, the permissions, or a setting (authentication failed, not
    /// authorized, a missing stream or topic, a record larger than the servers accept): retrying does not help until
    /// the configuration changes. Never set together with <see cref="IsTransient"/>.
    /// </summary>
    /// <value>Defaults to <see langword="false"/>.</value>
    public bool IsConfigurationError { get; init; }
}
