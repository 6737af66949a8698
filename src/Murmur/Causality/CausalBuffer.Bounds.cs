using Murmur.Events;

namespace Murmur.Causality;

// Bounded holding: what may wait, for how long, and what can never be delivered. Anything offered is untrusted input,
// so a held event must be one an honest peer could still complete; the rest is refused with the missing dependency named.
public sealed partial class CausalBuffer
{
    /// <summary>
    /// Takes the held events given up since the last call because a dependency of theirs was refused (the buffer was
    /// full, or their sender had too many waiting): they can never be delivered here.
    /// </summary>
    public IReadOnlyList<UndeliverableEvent> TakeUndeliverable()
    {
        if (_givenUp.Count == 0)
        {
            return [];
        }
        var taken = _givenUp.ToArray();
        _givenUp.Clear();
        return taken;
    }

    /// <summary>
    /// The delivered copy of a <c>JOIN</c> that travels with an empty clock (as runtimes write them): the actor's index
    /// is its position among the first <c>JOIN</c>s, so the copy carries own entry 1 at the next free index (or at the
    /// index a checkpoint already gave the actor). Null for a repeated <c>JOIN</c>: the first one fixed the index.
    /// </summary>
    public AgentEvent? PlaceJoin(AgentEvent join)
    {
        ArgumentNullException.ThrowIfNull(join);
        var index = _roster.IndexOf(join.Actor);
        if (index >= 0 && LastEntryOf(index) != 0)
        {
            return null;
        }
        var entries = new ulong[index >= 0 ? index + 1 : _roster.Count + 1];
        entries[^1] = 1;
        return new AgentEvent(join.EventId, join.Actor, join.Action, join.Payload, VectorClock.FromEntries(entries))
        {
            Topic = join.Topic,
            Timestamp = join.Timestamp,
            TraceParent = join.TraceParent,
            Signature = join.Signature,
            Round = join.Round,
            DependsOn = join.DependsOn,
        };
    }

    /// <summary>Null when <paramref name="e"/> (sender slot <paramref name="s"/>, own entry <paramref name="seq"/>) could still be delivered.</summary>
    private OfferResult? CheckReachable(AgentEvent e, int s, ulong seq)
    {
        var clock = e.Clock.Entries;
        if (_options.MaxEntryGap is { } gap)
        {
            if (seq - _delivered[s] > gap)
            {
                return Reject(RejectionKind.Undeliverable,
                    $"'{e.Actor}' entry {seq} is {seq - _delivered[s]} past its delivered entry {_delivered[s]}; gaps of more than {gap} are never waited for");
            }
            for (var j = 0; j < clock.Length; j++)
            {
                if (j != s && clock[j] > _delivered[j] && clock[j] - _delivered[j] > gap)
                {
                    return Reject(RejectionKind.Undeliverable,
                        $"it needs event {clock[j]} of {Name(j, null)}, but {_delivered[j]} were delivered; more than {gap} missing events are never waited for");
                }
            }
        }
        if (!_anyRefused)
        {
            return null;
        }
        for (var j = 0; j < clock.Length; j++)
        {
            var refused = _refusedEntry[j];
            if (refused != 0 && refused > _delivered[j] && (j == s ? seq > refused : clock[j] >= refused))
            {
                return Reject(RejectionKind.Undeliverable, RefusedReason(j));
            }
        }
        return null;
    }

    /// <summary>Refuses to hold the event when the buffer or its sender is at its cap; the refused entry then blocks its dependents.</summary>
    private OfferResult? RefuseHolding(AgentEvent e, int s, ulong seq)
    {
        OfferResult refusal;
        if (_held >= _options.Capacity)
        {
            refusal = Full();
        }
        else if (_heldPerSlot[s] >= _options.MaxHeldPerSender)
        {
            refusal = Reject(RejectionKind.SenderFull, $"'{e.Actor}' already has {_heldPerSlot[s]} events waiting; at most {_options.MaxHeldPerSender} are held per sender");
        }
        else
        {
            return null;
        }
        MarkRefused(s, seq, $"{refusal.Rejection}: {refusal.Reason}");
        return refusal;
    }

    /// <summary>
    /// Remembers that entry <paramref name="seq"/> of slot <paramref name="s"/> was refused: nothing that needs it can be
    /// delivered any more, so held dependents are given up now and later ones refused on arrival.
    /// </summary>
    private void MarkRefused(int s, ulong seq, string why)
    {
        if (_refusedEntry[s] != 0 && _refusedEntry[s] <= seq)
        {
            return;
        }
        _refusedEntry[s] = seq;
        _refusedWhy[s] = why;
        _anyRefused = true;
        var reason = RefusedReason(s);
        _givenUp.AddRange(DrainWhere((held, t, own) => t == s ? own > seq : s < held.Event.Clock.Length && held.Event.Clock[s] >= seq, reason));
    }

    private string RefusedReason(int s)
        => $"it depends on event {_refusedEntry[s]} of {Name(s, null)}, which was refused ({_refusedWhy[s]}), so it can never be delivered";

    /// <summary>A clock for a reason: long ones abbreviated, so a hostile clock cannot make a dead letter large.</summary>
    private static string Describe(VectorClock clock)
        => clock.Length <= 16 ? clock.ToString() : $"[{string.Join(",", clock.Entries[..8].ToArray())},… {clock.Length - 8} more]";
}
