using Murmur.Causality;
using Murmur.Events;

namespace Murmur.Topics;

// The delivered history: reading and watching it, trimming the window, and the clock at any delivered position.
internal sealed partial class TopicHost
{
    /// <summary>
    /// Every delivered event from the topic's first, in a causal order: what the window no longer holds is read back
    /// from the log (<see cref="HistoryReplay"/>), then the window as it was when the read started.
    /// </summary>
    public async IAsyncEnumerable<AgentEvent> ReadHistoryAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        VectorClock baseClock;
        List<AgentEvent> window;
        lock (Gate)
        {
            baseClock = Canonical(_baseClock);
            window = _history.ToList();
        }
        if (baseClock.Length != 0)
        {
            await foreach (var e in HistoryReplay.ReadAsync(this, 1, VectorClock.Empty, baseClock, cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }
        }
        foreach (var e in window)
        {
            yield return e;
        }
    }

    /// <summary>
    /// Every delivered event from the topic's first, then each one as it is delivered, until cancelled or until the
    /// node releases the topic (the watch then ends). What the window no longer holds when the watcher gets to it is
    /// read back from the log.
    /// </summary>
    public async IAsyncEnumerable<AgentEvent> WatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = 0L;
        var after = VectorClock.Empty;
        while (true)
        {
            List<AgentEvent> window;
            VectorClock? missed = null;
            lock (Gate)
            {
                if (next < _history.First)
                {
                    missed = Canonical(_baseClock);
                    next = _history.First;
                }
                window = _history.Range(next, _history.Count);
                next = _history.Count;
            }
            if (missed is { } upTo)
            {
                // Trimmed before the watcher got to it: read back what it has not seen, up to the window.
                await foreach (var e in HistoryReplay.ReadAsync(this, 1, after, upTo, cancellationToken).ConfigureAwait(false))
                {
                    yield return e;
                }
                after = upTo;
            }
            foreach (var e in window)
            {
                yield return e;
            }
            var released = false;
            try
            {
                await WaitDeliveredAsync(next + 1, cancellationToken).ConfigureAwait(false);
            }
            catch (TopicReleasedException)
            {
                released = true; // nothing more will be delivered here
            }
            if (released)
            {
                // Hand over what came in meanwhile, then end the watch.
                lock (Gate)
                {
                    window = next >= _history.First ? _history.Range(next, _history.Count) : [];
                }
                foreach (var e in window)
                {
                    yield return e;
                }
                yield break;
            }
        }
    }

    /// <summary>
    /// The clock of <paramref name="actor"/>'s latest delivered event other than its <c>JOIN</c>, or null when it has none: searched in the window
    /// from the newest, read back from the log only when the window no longer holds it.
    /// </summary>
    public async Task<VectorClock?> LastOwnClockAsync(string actor, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            for (var i = _history.Count - 1; i >= _history.First; i--)
            {
                if (IsOwnWork(_history[i], actor))
                {
                    return _history[i].Clock;
                }
            }
            if (_history.First == 0)
            {
                return null;
            }
        }
        VectorClock? last = null;
        await foreach (var e in ReadHistoryAsync(cancellationToken).ConfigureAwait(false))
        {
            if (IsOwnWork(e, actor))
            {
                last = e.Clock;
            }
        }
        return last;
    }

    /// <summary>An event of <paramref name="actor"/> that is work, not its <c>JOIN</c> (which acts on nothing).</summary>
    private static bool IsOwnWork(AgentEvent e, string actor)
        => string.Equals(e.Actor, actor, StringComparison.Ordinal) && !string.Equals(e.Action, Actions.Join, StringComparison.Ordinal);

    /// <summary>
    /// Keeps the delivered history within <see cref="MurmurNodeOptions.History"/>, but never drops what a live local
    /// member has not handled yet. What is dropped moves into the base clock, the clock of everything before the window.
    /// </summary>
    private void TrimLocked()
    {
        var limits = Node.Options.History;
        if (_history.Retained <= limits.MaxEvents && _history.RetainedBytes <= limits.MaxBytes)
        {
            return;
        }
        var keepFrom = _history.First;
        var bytes = _history.RetainedBytes;
        while (keepFrom < _history.Count && (_history.Count - keepFrom > limits.MaxEvents || bytes > limits.MaxBytes))
        {
            bytes -= DeliveredHistory.SizeOf(_history[keepFrom]);
            keepFrom++;
        }
        // Live members that have not taken their events yet hold the window open, up to a hard limit of four windows;
        // past it, they are frozen and catch up from the log (a stuck agent cannot make the node keep everything).
        var hardFrom = _history.First;
        bytes = _history.RetainedBytes;
        while (hardFrom < _history.Count && (_history.Count - hardFrom > 4L * limits.MaxEvents || bytes > 4 * limits.MaxBytes))
        {
            bytes -= DeliveredHistory.SizeOf(_history[hardFrom]);
            hardFrom++;
        }
        foreach (var member in _members)
        {
            var kept = member.Delivery.KeptFrom;
            if (member.Delivery.IsLive && kept >= _history.First)
            {
                keepFrom = Math.Max(hardFrom, Math.Min(keepFrom, kept));
            }
        }
        if (_rounds is not null)
        {
            keepFrom = Math.Min(keepFrom, _rounds.Visible);
        }
        if (keepFrom <= _history.First)
        {
            return;
        }
        foreach (var member in _members)
        {
            var delivery = member.Delivery;
            var kept = delivery.KeptFrom;
            if (kept >= _history.First && kept < keepFrom)
            {
                var delivered = Math.Max(delivery.DeliveredIndex, _history.First);
                var seen = ClockAtLocked(delivered);
                if (delivery.SkipLocked is { } skip)
                {
                    seen = seen.Merge(skip);
                }
                var handledIndex = delivery.HandledIndexLocked;
                VectorClock? handled = handledIndex >= _history.First ? ClockAtLocked(handledIndex) : null;
                delivery.FreezeLocked(seen, handled, ResumePositionLocked(delivered));
                delivery.Wake();
            }
        }
        var roster = _buffer.Roster;
        for (var i = _history.First; i < keepFrom; i++)
        {
            var e = _history[i];
            var s = roster.IndexOf(e.Actor);
            if (s >= 0 && s < e.Clock.Length)
            {
                if (s >= _baseClock.Length)
                {
                    Array.Resize(ref _baseClock, Math.Max(s + 1, roster.Count));
                }
                _baseClock[s] = Math.Max(_baseClock[s], e.Clock[s]);
            }
        }
        _history.Trim(keepFrom);
    }

    /// <summary>Where the window starts and the clock of everything before it, read together.</summary>
    public (long First, VectorClock Base) WindowStart()
    {
        lock (Gate)
        {
            return (_history.First, Canonical(_baseClock));
        }
    }

    /// <summary>A clock without trailing zeros.</summary>
    private static VectorClock Canonical(ReadOnlySpan<ulong> entries)
    {
        var length = entries.Length;
        while (length > 0 && entries[length - 1] == 0)
        {
            length--;
        }
        return VectorClock.FromEntries(entries[..length]);
    }

    /// <summary>The visible events in [<paramref name="from"/>, <paramref name="to"/>); <paramref name="end"/> is where they end.</summary>
    public List<AgentEvent> TakeVisible(long from, long to, out long end)
    {
        lock (Gate)
        {
            if (from < _history.First)
            {
                end = from; // trimmed past meanwhile: the member catches up from the log (it was frozen and woken)
                return [];
            }
            end = Math.Min(to, VisibleCountLocked);
            return from >= end ? [] : _history.Range(from, end);
        }
    }

    /// <summary>The log position of the delivered event at absolute <paramref name="index"/>, or null when it is not retained or not delivered yet.</summary>
    public long? PositionAt(long index)
    {
        lock (Gate)
        {
            return index >= _history.First && index < _history.Count ? _history.PositionAt(index) : null;
        }
    }

    /// <summary>
    /// The clock of the first <paramref name="index"/> delivered events: for each member, how many of its events they
    /// hold. A prefix of a causal order is causally closed, so this is also the merge of their clocks. Trailing zeros
    /// are left out (a clock never grows past the members it counts).
    /// </summary>
    public VectorClock ClockAt(long index)
    {
        lock (Gate)
        {
            return ClockAtLocked(index);
        }
    }

    private VectorClock ClockAtLocked(long index)
    {
        {
            var delivered = _buffer.DeliveredClock.Entries;
            var entries = delivered.ToArray();
            var roster = _buffer.Roster;
            if (index < _history.First)
            {
                throw new InvalidOperationException($"The clock at delivered index {index} of topic '{Name}' is no longer known: the history starts at {_history.First}.");
            }
            for (var i = _history.Count - 1; i >= index; i--)
            {
                var e = _history[i];
                var s = roster.IndexOf(e.Actor);
                if (s >= 0 && s < entries.Length && s < e.Clock.Length)
                {
                    entries[s] = Math.Min(entries[s], e.Clock[s] - 1);
                }
            }
            return Canonical(entries);
        }
    }

    /// <summary>The first retained delivered event that matches; call only under the gate.</summary>
    public AgentEvent? FindLocked(Func<AgentEvent, bool> predicate) => _history.Find(predicate);
}
