using Murmur.Events;

namespace Murmur.Causality;

public sealed partial class CausalBuffer
{
    /// <summary>
    /// Gives up on every held event (call it when the log was read to its end): removes them and says what
    /// each still waited for. Senders with nothing missing are unaffected.
    /// </summary>
    /// <returns>The events, by roster index then own entry, followed by events of actors that never joined.</returns>
    public IReadOnlyList<UndeliverableEvent> DrainUndeliverable() => Drain(long.MaxValue);

    /// <summary>
    /// Gives up on held events that waited longer than <see cref="CausalBufferOptions.MaxWait"/>, measured with
    /// <see cref="CausalBufferOptions.TimeProvider"/>; nothing when no wait is configured.
    /// </summary>
    public IReadOnlyList<UndeliverableEvent> DrainExpired()
    {
        if (_options.MaxWait is not { } wait)
        {
            return [];
        }
        var now = _options.TimeProvider.GetTimestamp();
        var cutoff = now - (long)(wait.TotalSeconds * _options.TimeProvider.TimestampFrequency);
        return Drain(cutoff);
    }

    private List<UndeliverableEvent> Drain(long arrivedAtOrBefore)
    {
        var result = DrainWhere((held, _, _) => held.ArrivedAt <= arrivedAtOrBefore, null);
        _deliveredThisOffer = 0;
        Pump();
        return result;
    }

    /// <summary>
    /// Removes the held events <paramref name="giveUp"/> picks (given the held event, its sender's slot and own entry;
    /// slot -1 for an actor that never joined), with <paramref name="reason"/> or what each still waits for.
    /// </summary>
    private List<UndeliverableEvent> DrainWhere(Func<Held, int, ulong, bool> giveUp, string? reason)
    {
        if (_delivering)
        {
            throw new InvalidOperationException("CausalBuffer cannot be drained from its own sink.");
        }
        var result = new List<UndeliverableEvent>();
        for (var s = 0; s < _slots; s++)
        {
            var pending = _pending[s];
            if (pending is null || pending.Count == 0)
            {
                continue;
            }
            var taken = new List<(ulong Seq, Held Held)>();
            foreach (var (seq, held) in pending)
            {
                if (giveUp(held, s, seq))
                {
                    taken.Add((seq, held));
                }
            }
            taken.Sort((a, b) => a.Seq.CompareTo(b.Seq));
            foreach (var (seq, held) in taken)
            {
                result.Add(new UndeliverableEvent(held.Event, reason ?? WaitReason(held.Event, s, seq)));
            }
            foreach (var (seq, held) in taken)
            {
                pending.Remove(seq);
                _ids.Remove(held.Event, held.Hash);
                _held--;
                _heldPerSlot[s]--;
            }
        }
        for (var i = 0; i < _strangers.Count;)
        {
            var held = _strangers[i];
            if (!giveUp(held, -1, 0))
            {
                i++;
                continue;
            }
            result.Add(new UndeliverableEvent(held.Event, reason ?? $"'{held.Event.Actor}' is not a roster member and no JOIN from it was delivered"));
            _strangers.RemoveAt(i);
            ForgetStranger(held.Event.Actor);
            _ids.Remove(held.Event, held.Hash);
            _held--;
        }
        // Removing events never makes another ready, but the waiter links may point at removed heads: rebuild them.
        for (var s = 0; s < _slots; s++)
        {
            _blockedOn[s] = -1;
            _head[s] = default;
            _nextWaiter[s] = -1;
            _firstWaiter[s] = -1;
        }
        for (var s = 0; s < _slots; s++)
        {
            Enqueue(s);
        }
        return result;
    }

    private string WaitReason(AgentEvent e, int s, ulong seq)
    {
        var delivered = _delivered[s];
        if (seq > delivered + 1)
        {
            var missing = seq == delivered + 2 ? $"event {delivered + 1}" : $"events {delivered + 1}..{seq - 1}";
            return $"waits for {missing} of {Name(s, e)} (delivered up to {delivered})";
        }
        var clock = e.Clock.Entries;
        for (var j = 0; j < clock.Length; j++)
        {
            if (j != s && clock[j] > _delivered[j])
            {
                return $"waits for event {_delivered[j] + 1} of {Name(j, null)} (needs {clock[j]}, delivered up to {_delivered[j]})";
            }
        }
        return s > _roster.Count
            ? $"the JOIN by '{e.Actor}' claims roster index {s} but only {_roster.Count} members joined before it"
            : "waits for an unknown predecessor";
    }

    private string Name(int index, AgentEvent? own)
        => index < _roster.Count ? $"'{_roster[index]}'"
            : own is not null ? $"'{own.Actor}'"
            : $"roster index {index} (no member has joined there)";
}
