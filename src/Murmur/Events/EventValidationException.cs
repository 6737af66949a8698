namespace Murmur.Events;

/// <summary>Thrown by <see cref="AgentEventCodec.Decode"/> when an event is malformed, oversized or impossible.</summary>
public sealed class EventValidationException : FormatException
{
    /// <summary>Creates the exception from an error.</summary>
    public EventValidationException(EventError error)
        : base($"Invalid event: {error?.Field}: {error?.Reason}")
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    /// <summary>Creates an exception for a generic decoding failure.</summary>
    public EventValidationException()
        : this(new EventError("$", EventErrorKind.Malformed, "invalid event"))
    {
    }

    /// <summary>Creates an exception for a generic decoding failure with a message.</summary>
    public EventValidationException(string message)
        : this(new EventError("$", EventErrorKind.Malformed, message))
    {
    }

    /// <summary>Creates an exception for a generic decoding failure with a message and a cause.</summary>
    public EventValidationException(string message, Exception innerException)
        : base(message, innerException) => Error = new EventError("$", EventErrorKind.Malformed, message);

    /// <summary>The full error.</summary>
    public EventError Error { get; }

    /// <summary>The envelope field at fault, or <c>$</c> for the document.</summary>
    public string Field => Error.Field;

    /// <summary>Why the field was refused.</summary>
    public string Reason => Error.Reason;

    /// <summary>The kind of fault.</summary>
    public EventErrorKind Kind => Error.Kind;
}
