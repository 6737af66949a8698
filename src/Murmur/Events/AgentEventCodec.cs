using System.Diagnostics.CodeAnalysis;
using Murmur.Causality;

namespace Murmur.Events;

/// <summary>
/// Decodes and encodes <see cref="AgentEvent"/>s as one-line UTF-8 JSON, validating every incoming byte.
/// </summary>
/// <remarks>
/// <para>
/// Decoding is a single forward pass of <see cref="System.Text.Json.Utf8JsonReader"/>; encoding writes with
/// <see cref="System.Text.Json.Utf8JsonWriter"/> in the fixed order <c>event_id, actor, action, payload,
/// vector_clock, topic, ts, round, depends_on, signature, traceparent, epoch</c>, omitting empty optional fields.
/// The payload is written back byte for byte as it arrived, so a canonical event re-encodes byte-equal.
/// </para>
/// <para>
/// Hostile input can only produce an <see cref="EventError"/> (or, from <see cref="Decode"/>, an
/// <see cref="EventValidationException"/>); no other exception escapes. Thread-safe: the codec has no state.
/// </para>
/// </remarks>
public static partial class AgentEventCodec
{
    /// <summary>Decodes one event, throwing on any fault.</summary>
    /// <param name="utf8">The event's UTF-8 JSON; trailing white space is allowed.</param>
    /// <param name="limits">The limits to enforce; null means <see cref="EventLimits.Default"/>.</param>
    /// <param name="roster">
    /// When known, the clock may not be longer than the roster (one more entry for a <c>JOIN</c> by a newcomer)
    /// and a member's own entry may not be zero.
    /// </param>
    /// <exception cref="EventValidationException">The input is not a valid event; see <see cref="EventValidationException.Error"/>.</exception>
    public static AgentEvent Decode(ReadOnlySpan<byte> utf8, EventLimits? limits = null, Roster? roster = null)
        => TryDecode(utf8, limits, roster, out var ev, out var error) ? ev : throw new EventValidationException(error);

    /// <summary>Decodes one event without throwing.</summary>
    /// <param name="utf8">The event's UTF-8 JSON; trailing white space is allowed.</param>
    /// <param name="limits">The limits to enforce; null means <see cref="EventLimits.Default"/>.</param>
    /// <param name="roster">The roster to check the clock against, or null.</param>
    /// <param name="event">The event, when valid.</param>
    /// <param name="error">Why the input was refused, when invalid.</param>
    /// <returns>True when the input is a valid event.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> utf8, EventLimits? limits, Roster? roster,
        [NotNullWhen(true)] out AgentEvent? @event, [NotNullWhen(false)] out EventError? error)
    {
        limits ??= EventLimits.Default;
        limits.Validate();
        var decoder = new Decoder(utf8, limits);
        @event = decoder.Run(out error);
        if (@event is not null && roster is not null)
        {
            error = CheckAgainstRoster(@event, roster);
            if (error is not null)
            {
                @event = null;
            }
        }
        return @event is not null;
    }

    /// <summary>Checks an event's clock against a roster: length, and the sender's own entry.</summary>
    /// <returns>The fault, or null when the event fits the roster.</returns>
    public static EventError? CheckAgainstRoster(AgentEvent @event, Roster roster)
    {
        ArgumentNullException.ThrowIfNull(@event);
        ArgumentNullException.ThrowIfNull(roster);
        var index = roster.IndexOf(@event.Actor);
        // A newcomer's JOIN claims the next index, so its clock may be one longer than the roster.
        var allowed = index < 0 && @event.Action == Actions.Join ? roster.Count + 1 : roster.Count;
        if (@event.Clock.Length > allowed)
        {
            return new EventError("vector_clock", EventErrorKind.ClockLongerThanRoster,
                $"the clock has {@event.Clock.Length} entries but the roster has {roster.Count} members");
        }
        if (index >= 0 && @event.Clock[index] == 0)
        {
            return new EventError("vector_clock", EventErrorKind.OwnEntryZero,
                $"the sender '{@event.Actor}' owns entry {index}, which is 0; a sender's own entry counts its events and starts at 1");
        }
        return null;
    }
}
