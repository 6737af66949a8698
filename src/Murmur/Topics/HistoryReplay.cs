using System.Runtime.CompilerServices;
using Murmur.Causality;
using Murmur.Events;

namespace Murmur.Topics;

/// <summary>
/// Reads a topic's delivered history back from the log — for a member that needs events the node no longer keeps
/// (a restarted agent, a late joiner, <see cref="Murmur.Topics.Topic.ReadHistoryAsync"/>). The records go through the same screen and
/// a fresh causal buffer, so they come out validated and in a causal order; a record the node refused is refused again.
/// </summary>
internal static class HistoryReplay
{
    /// <summary>
    /// The topic's events that are not in <paramref name="after"/> and (when given) are in <paramref name="upTo"/>, in a
    /// causal order, read from log position <paramref name="from"/>: 1, or a position before which every event is in
    /// <paramref name="after"/> (a snapshot's resume position). Stops once everything in <paramref name="upTo"/> came out.
    /// </summary>
    public static async IAsyncEnumerable<AgentEvent> ReadAsync(TopicHost host, long from, VectorClock after, VectorClock? upTo,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (upTo is { } limit && after.Compare(limit) is ClockOrder.After or ClockOrder.Equal)
        {
            yield break; // nothing in upTo is missing from after
        }
        var screen = host.Reader.Screen.Fork();
        var delivered = new List<AgentEvent>();
        // From the start the roster is derived again from the JOINs, exactly as the node did; from a mid-log position it
        // is the node's (indices never change), and JOINs after that position are delivered at their known indices.
        var roster = after.Length == 0 ? Roster.Empty : host.Roster;
        var buffer = new CausalBuffer(roster, delivered.Add, TopicHost.BufferOptions(host.Node, host.Name));
        if (after.Length != 0)
        {
            buffer.StartAfter(after);
        }
        await foreach (var entry in host.Node.Log.ReadAsync(host.Name, from, follow: false, cancellationToken).ConfigureAwait(false))
        {
            if (screen.Screen(entry, out _) is not { } @event)
            {
                continue; // refused: the node's reader already dead-lettered it
            }
            if (@event.Clock.Length == 0 && (string.Equals(@event.Action, Actions.Evict, StringComparison.Ordinal) || string.Equals(@event.Action, Actions.Claim, StringComparison.Ordinal)))
            {
                continue; // decisions about rounds and owners, not history
            }
            if (string.Equals(@event.Action, Actions.Join, StringComparison.Ordinal) && @event.Clock.Length == 0)
            {
                if (buffer.PlaceJoin(@event) is not { } derived)
                {
                    continue;
                }
                @event = derived;
            }
            buffer.Offer(@event);
            foreach (var e in delivered)
            {
                if (upTo is not { } within || Within(e, buffer.Roster, within))
                {
                    yield return e;
                }
            }
            delivered.Clear();
            if (upTo is { } end && buffer.DeliveredClock.Compare(end) is ClockOrder.After or ClockOrder.Equal)
            {
                yield break;
            }
        }
    }

    private static bool Within(AgentEvent e, Roster roster, VectorClock clock)
    {
        var s = roster.IndexOf(e.Actor);
        return s >= 0 && s < e.Clock.Length && s < clock.Length && e.Clock[s] <= clock[s];
    }
}
