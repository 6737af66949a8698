namespace Murmur.Events;

/// <summary>The payload of a <c>RETRACT</c>: <c>{"event_id":…,"reason":…}</c>, withdrawing an earlier event.</summary>
/// <param name="Target">The <c>event_id</c> withdrawn.</param>
/// <param name="Reason">Why, or null.</param>
public sealed record Retraction(string Target, string? Reason)
{
    /// <summary>Reads the view from a <c>RETRACT</c> event; false for any other action or a payload without an <c>event_id</c> string.</summary>
    public static bool TryRead(AgentEvent @event, out Retraction? retraction)
    {
        retraction = null;
        if (!PayloadJson.TryGetObject(@event, Actions.Retract, out var root) || PayloadJson.GetString(root, "event_id") is not { Length: > 0 } target)
        {
            return false;
        }
        retraction = new Retraction(target, PayloadJson.GetString(root, "reason"));
        return true;
    }

    /// <summary>Encodes the view as a payload.</summary>
    public byte[] ToPayload() => PayloadJson.Build(w =>
    {
        w.WriteString("event_id", Target);
        if (Reason is not null)
        {
            w.WriteString("reason", Reason);
        }
    });
}
