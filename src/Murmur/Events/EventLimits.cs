using Murmur.Agents;

namespace Murmur.Events;

/// <summary>
/// Bounds that <see cref="AgentEventCodec"/> enforces on every incoming event, so a hostile or broken
/// producer cannot make a node allocate or work without limit. String lengths are in UTF-8 bytes after
/// unescaping.
/// </summary>
public sealed record EventLimits
{
    /// <summary>The defaults documented on each property.</summary>
    public static EventLimits Default { get; } = new();

    /// <summary>The largest encoded event, in bytes.</summary>
    /// <value>1 MiB + 64 KiB (1,114,112).</value>
    public int MaxEventBytes { get; init; } = (1024 * 1024) + (64 * 1024);

    /// <summary>The largest <c>payload</c>, in bytes as it appears on the wire.</summary>
    /// <value>1 MiB (1,048,576).</value>
    public int MaxPayloadBytes { get; init; } = 1024 * 1024;

    /// <summary>The longest <c>event_id</c> (and each <c>depends_on</c> entry).</summary>
    /// <value>128.</value>
    public int MaxEventIdLength { get; init; } = 128;

    /// <summary>The longest <c>actor</c> (an agent id of <see cref="AgentId.MaxLength"/> UTF-16 units needs at most 768 bytes).</summary>
    /// <value>1024.</value>
    public int MaxActorLength { get; init; } = 1024;

    /// <summary>The longest <c>action</c>.</summary>
    /// <value>64.</value>
    public int MaxActionLength { get; init; } = 64;

    /// <summary>The longest <c>topic</c>.</summary>
    /// <value>256.</value>
    public int MaxTopicLength { get; init; } = 256;

    /// <summary>The longest <c>signature</c>.</summary>
    /// <value>1024.</value>
    public int MaxSignatureLength { get; init; } = 1024;

    /// <summary>The longest <c>traceparent</c>.</summary>
    /// <value>128.</value>
    public int MaxTraceParentLength { get; init; } = 128;

    /// <summary>The most entries in <c>vector_clock</c>.</summary>
    /// <value>1024.</value>
    public int MaxClockLength { get; init; } = 1024;

    /// <summary>The most entries in <c>depends_on</c>.</summary>
    /// <value>256.</value>
    public int MaxDependsOn { get; init; } = 256;

    /// <summary>The deepest nesting of objects and arrays, counting the envelope object as depth 1.</summary>
    /// <value>32.</value>
    public int MaxDepth { get; init; } = 32;

    /// <summary>Throws when a limit is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is not positive, or <see cref="MaxDepth"/> is below 2 or above 256.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxEventBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxPayloadBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxEventIdLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxActorLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxActionLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTopicLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSignatureLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTraceParentLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxClockLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxDependsOn);
        // Depth 1 is the envelope itself; the payload needs at least one more level.
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDepth, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxDepth, 256);
    }
}
