namespace Murmur.Events;

/// <summary>The payload of a <c>JOIN</c>: <c>{"role":…}</c>; the joiner is the event's actor.</summary>
/// <param name="Role">The role the member plays (e.g. <c>researcher</c>), or null.</param>
public sealed record JoinRequest(string? Role)
{
    /// <summary>Reads the view from a <c>JOIN</c> event; an empty or non-object payload gives a null role.</summary>
    public static bool TryRead(AgentEvent @event, out JoinRequest? join)
    {
        ArgumentNullException.ThrowIfNull(@event);
        join = null;
        if (!string.Equals(@event.Action, Actions.Join, StringComparison.Ordinal))
        {
            return false;
        }
        join = new JoinRequest(PayloadJson.TryGetObject(@event, Actions.Join, out var root) ? PayloadJson.GetString(root, "role") : null);
        return true;
    }

    /// <summary>Encodes the view as a payload.</summary>
    public byte[] ToPayload() => PayloadJson.Build(w =>
    {
        if (Role is not null)
        {
            w.WriteString("role", Role);
        }
    });
}
