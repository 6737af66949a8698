using System.Text.Json;
using Murmur.Causality;
using Murmur.Topics;

namespace Murmur.Events;

/// <summary>
/// The gossip envelope every agent publishes to a topic:
/// <c>{"event_id":…,"actor":…,"action":…,"payload":{…},"vector_clock":[…]}</c> plus optional
/// <c>topic</c>, <c>ts</c>, <c>round</c>, <c>depends_on</c>, <c>signature</c>, <c>traceparent</c> and <c>epoch</c>.
/// </summary>
/// <remarks>
/// Immutable and safe to share between threads. The payload is kept as the raw UTF-8 JSON it arrived as,
/// so unknown actions and payload shapes pass through untouched; typed views such as
/// <see cref="Retraction.TryRead"/> read well-known payloads. Equality is by content (every field, payload bytes
/// compared exactly, clocks compared with trailing zeros ignored). Encode and decode with <see cref="AgentEventCodec"/>.
/// </remarks>
public sealed class AgentEvent : IEquatable<AgentEvent>
{
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();
    private readonly string[] _dependsOn = [];

    /// <summary>
    /// Creates an event, checking that the required strings are non-empty and the payload is one JSON value.
    /// The payload bytes are copied, so the event stays immutable.
    /// </summary>
    /// <param name="eventId">A unique id, e.g. <c>req_88f2a</c>.</param>
    /// <param name="actor">The sender, e.g. <c>Researcher_Agent_3</c>.</param>
    /// <param name="action">What happened; see <see cref="Actions"/>.</param>
    /// <param name="payload">One UTF-8 JSON value; empty means <c>{}</c>.</param>
    /// <param name="clock">The sender's vector clock after this event.</param>
    /// <exception cref="ArgumentException">A string is empty, or the payload is not exactly one JSON value.</exception>
    public AgentEvent(string eventId, string actor, string action, ReadOnlyMemory<byte> payload, VectorClock clock)
        : this(eventId, actor, action, CheckedPayload(payload).ToArray(), clock, validated: true)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        ArgumentException.ThrowIfNullOrEmpty(action);
    }

    // The decoder has already validated everything.
#pragma warning disable IDE0060 // The flag only selects this overload.
    internal AgentEvent(string eventId, string actor, string action, ReadOnlyMemory<byte> payload, VectorClock clock, bool validated)
#pragma warning restore IDE0060
    {
        EventId = eventId;
        Actor = actor;
        Action = action;
        Payload = payload.IsEmpty ? EmptyObject : payload;
        Clock = clock;
    }

    /// <summary>The event's unique id (<c>event_id</c>).</summary>
    public string EventId { get; }

    /// <summary>The sender (<c>actor</c>).</summary>
    public string Actor { get; }

    /// <summary>What happened (<c>action</c>); see <see cref="Actions"/>.</summary>
    public string Action { get; }

    /// <summary>The payload as raw UTF-8 JSON (<c>payload</c>).</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>The sender's vector clock after this event (<c>vector_clock</c>).</summary>
    public VectorClock Clock { get; }

    /// <summary>The topic the event belongs to (<c>topic</c>), or null.</summary>
    public string? Topic { get; init; }

    /// <summary>When the sender created the event, milliseconds since the Unix epoch (<c>ts</c>), or null.</summary>
    public long? Timestamp { get; init; }

    /// <summary>
    /// The strict round the event was published in (<c>round</c>): 0 for the first round, counted like
    /// <see cref="TopicView.Round"/>; null outside strict topics.
    /// </summary>
    public int? Round { get; init; }

    /// <summary>Ids of events this one speculatively depends on (<c>depends_on</c>); empty when none. Copied on init.</summary>
    public IReadOnlyList<string> DependsOn
    {
        get => _dependsOn;
        init => _dependsOn = value is null || value.Count == 0 ? [] : [.. value];
    }

    /// <summary>A signature over the event (<c>signature</c>), or null.</summary>
    public string? Signature { get; init; }

    /// <summary>A W3C trace context (<c>traceparent</c>), or null.</summary>
    public string? TraceParent { get; init; }

    /// <summary>
    /// The ownership epoch the sender's node held the actor at (<c>epoch</c>); null means 1, the node that joined it.
    /// A node that takes an agent over claims the next epoch; events of an older epoch are fenced (see <c>docs/fleet.md</c>).
    /// </summary>
    public ulong? Epoch { get; init; }

    /// <summary>Parses the payload; the returned element does not depend on any disposable document.</summary>
    public JsonElement GetPayload()
    {
        using var document = JsonDocument.Parse(Payload);
        return document.RootElement.Clone();
    }

    /// <inheritdoc/>
    public bool Equals(AgentEvent? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (other is null
            || !string.Equals(EventId, other.EventId, StringComparison.Ordinal)
            || !string.Equals(Actor, other.Actor, StringComparison.Ordinal)
            || !string.Equals(Action, other.Action, StringComparison.Ordinal)
            || !string.Equals(Topic, other.Topic, StringComparison.Ordinal)
            || !string.Equals(Signature, other.Signature, StringComparison.Ordinal)
            || !string.Equals(TraceParent, other.TraceParent, StringComparison.Ordinal)
            || Timestamp != other.Timestamp
            || Round != other.Round
            || Epoch != other.Epoch
            || Clock != other.Clock
            || !Payload.Span.SequenceEqual(other.Payload.Span)
            || DependsOn.Count != other.DependsOn.Count)
        {
            return false;
        }
        for (var i = 0; i < DependsOn.Count; i++)
        {
            if (!string.Equals(DependsOn[i], other.DependsOn[i], StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as AgentEvent);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(
        StringComparer.Ordinal.GetHashCode(EventId), StringComparer.Ordinal.GetHashCode(Actor), Clock);

    /// <summary>Formats as the wire JSON.</summary>
    public override string ToString() => System.Text.Encoding.UTF8.GetString(AgentEventCodec.Encode(this));

    private static ReadOnlyMemory<byte> CheckedPayload(ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return payload;
        }
        try
        {
            var reader = new Utf8JsonReader(payload.Span);
            reader.Read();
            reader.Skip();
            if (reader.Read())
            {
                throw new ArgumentException("The payload holds more than one JSON value.", nameof(payload));
            }
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The payload is not valid JSON: {ex.Message}", nameof(payload), ex);
        }
        return payload;
    }
}
