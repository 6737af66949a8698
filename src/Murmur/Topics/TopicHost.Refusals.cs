using Murmur.Causality;
using Murmur.Diagnostics;
using Murmur.Events;

namespace Murmur.Topics;

// Refusals: events that are given up or refused become dead letters (and feedback to their senders).
internal sealed partial class TopicHost
{
    /// <summary>Events a member's handler kept failing on: listed as dead letters (they stay in the history for the others).</summary>
    public void DeadLetterPoison(string actor, IReadOnlyList<AgentEvent> events, string reason)
    {
        foreach (var e in events)
        {
            var text = e.ToString();
            Node.DeadLetters.Add(new DeadLetterEvent(Name, 0, e.EventId, reason, text.Length > 256 ? text[..256] : text));
            TopicLogMessages.Refused(Node.Logger, Name, 0, $"{actor}: {reason}");
        }
    }

    /// <summary>Gives up held events that waited longer than the grace period (<see cref="CausalBufferOptions.MaxWait"/>).</summary>
    public void GiveUpExpired()
    {
        lock (Gate)
        {
            foreach (var given in _buffer.DrainExpired())
            {
                RefuseUndeliverableLocked(given);
            }
        }
    }

    /// <summary>Gives up every held event (for a reader that read the log to its end and will not wait): each a dead letter.</summary>
    public int GiveUpHeld()
    {
        lock (Gate)
        {
            var given = _buffer.DrainUndeliverable();
            foreach (var u in given)
            {
                RefuseUndeliverableLocked(u);
            }
            return given.Count;
        }
    }

    private void RefuseUndeliverableLocked(UndeliverableEvent given)
    {
        var position = 0L;
        _heldPositions?.Remove(given.Event.EventId, out position);
        RefuseLocked(position, given.Event, $"{RejectionKind.Undeliverable}: {given.Reason}");
    }

    /// <summary>Refuses a record read from the log: a dead letter with the reason.</summary>
    public void Refuse(long position, string? eventId, string reason, string excerpt)
    {
        var dead = new DeadLetterEvent(Name, position, eventId, reason, excerpt);
        Node.DeadLetters.Add(dead);
        _feedback.Report(dead);
        MurmurDiagnostics.Count(MurmurDiagnostics.EventsRejected, Name);
        TopicLogMessages.Refused(Node.Logger, Name, position, reason);
    }

    private void RefuseLocked(long position, AgentEvent @event, string reason)
    {
        var text = @event.ToString();
        Refuse(position, @event.EventId, reason, text.Length > 256 ? text[..256] : text);
    }
}
