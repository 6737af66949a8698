using Murmur.Events;

namespace Murmur.Causality;

// Duplicates: each sender's ring of recently delivered events, to tell a repeat from a conflicting reuse of an entry.
public sealed partial class CausalBuffer
{
    private OfferResult SeenBefore(AgentEvent e, int s, ulong seq, ulong delivered)
    {
        // A sender's ring holds its last ring.Length delivered entries (the ring grows with the sender up to the window).
        if (_recent[s] is { } ring && delivered - seq < (ulong)ring.Length && ring[(int)(seq & (ulong)(ring.Length - 1))].Event is { } earlier)
        {
            return earlier.Equals(e)
                ? Duplicate($"'{e.Actor}' entry {seq} was already delivered")
                : Reject(RejectionKind.Conflict, $"'{e.Actor}' entry {seq} was already delivered as event '{earlier.EventId}' with different content");
        }
        // Older than the remembered window: the entry is certainly taken, the content can no longer be compared.
        return Duplicate($"'{e.Actor}' entry {seq} was already delivered (too old to compare content)");
    }

    /// <summary>The ring a sender starts with; it doubles up to the duplicate window as the sender's events are delivered.</summary>
    private const int InitialRing = 8;

    private static Recent[] Grow(Recent[] ring, int s)
    {
        var grown = new Recent[ring.Length * 2];
        foreach (var entry in ring)
        {
            if (entry.Event is { } e)
            {
                grown[(int)(e.Clock[s] & (ulong)(grown.Length - 1))] = entry;
            }
        }
        return grown;
    }

    private readonly record struct Recent(AgentEvent Event, int Hash);
}
