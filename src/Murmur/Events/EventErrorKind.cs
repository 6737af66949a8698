namespace Murmur.Events;

/// <summary>Why an event was refused by <see cref="AgentEventCodec"/>.</summary>
public enum EventErrorKind
{
    /// <summary>The bytes are not well-formed JSON.</summary>
    Malformed,

    /// <summary>A required field is absent.</summary>
    MissingField,

    /// <summary>A required string field is empty.</summary>
    EmptyField,

    /// <summary>A field holds the wrong JSON type.</summary>
    WrongType,

    /// <summary>A string or array is longer than its limit.</summary>
    TooLong,

    /// <summary>An object holds the same key twice (at any depth).</summary>
    DuplicateKey,

    /// <summary>Objects or arrays are nested deeper than the limit.</summary>
    TooDeep,

    /// <summary>A vector-clock entry is not an integer in [0, 2^64-1].</summary>
    InvalidClockEntry,

    /// <summary>The vector clock has more entries than the roster has members.</summary>
    ClockLongerThanRoster,

    /// <summary>The sender's own clock entry is zero, so the event cannot be the sender's own.</summary>
    OwnEntryZero,

    /// <summary>The payload is larger than the limit.</summary>
    PayloadTooLarge,

    /// <summary>The whole event is larger than the limit.</summary>
    EventTooLarge,

    /// <summary>The bytes are not valid UTF-8.</summary>
    InvalidUtf8,

    /// <summary>A string holds an invalid escape, such as a lone UTF-16 surrogate, or a control character where none is allowed.</summary>
    InvalidString,

    /// <summary>Something follows the event's closing brace.</summary>
    TrailingData,

    /// <summary>The envelope holds a field this version does not know.</summary>
    UnknownField,

    /// <summary>A number is out of its range (e.g. a negative <c>ts</c>).</summary>
    InvalidValue,
}
