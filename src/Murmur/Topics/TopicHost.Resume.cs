using Murmur.Causality;

namespace Murmur.Topics;

// Starting: from a checkpoint when the node has one, else from the log's start; where a resumed member starts reading.
internal sealed partial class TopicHost
{
    /// <summary>
    /// A log position before which every event is among the first <paramref name="index"/> delivered ones: the earliest
    /// position of an event delivered after them, of an event held, or of one not read yet.
    /// </summary>
    public long ResumePosition(long index)
    {
        lock (Gate)
        {
            return ResumePositionLocked(index);
        }
    }

    private long ResumePositionLocked(long index)
    {
        {
            var earliest = Reader.Position + 1;
            for (var i = Math.Max(index, _history.First); i < _history.Count; i++)
            {
                var position = _history.PositionAt(i);
                if (position <= 0)
                {
                    return 1; // not known: from the start
                }
                earliest = Math.Min(earliest, position);
            }
            if (EarliestHeldPositionLocked is { } held)
            {
                earliest = Math.Min(earliest, held);
            }
            return Math.Max(1, earliest);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var from = 1L;
        if (Consistency == Consistency.Eventual && Node.Options.ResumeFromCheckpoints
            && await Snapshots.LoadCheckpointAsync(this, cancellationToken).ConfigureAwait(false) is { } checkpoint
            && TryStartFrom(checkpoint))
        {
            from = checkpoint.Position;
        }
        StartTimers();
        await Reader.StartAsync(from, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the topic from this node's checkpoint: the roster and clock at a log position before which every event is
    /// counted in the clock, so reading on from there loses nothing and delivers nothing twice.
    /// </summary>
    private bool TryStartFrom(Checkpoint checkpoint)
    {
        CausalBuffer buffer;
        try
        {
            buffer = new CausalBuffer(Roster.Of(checkpoint.Members.Select(m => m.Actor)), OnDelivered, BufferOptions(Node, Name));
            buffer.StartAfter(checkpoint.Clock);
        }
        catch (ArgumentException ex)
        {
            Refuse(0, null, $"checkpoint of topic '{Name}' is unusable ({ex.Message}); reading the topic from its start", string.Empty);
            return false;
        }
        lock (Gate)
        {
            _buffer = buffer;
            var count = 0L;
            foreach (var entry in checkpoint.Clock.Entries)
            {
                count += (long)entry;
            }
            _history.StartAt(count);
            _baseClock = checkpoint.Clock.Entries.ToArray();
        }
        Reader.Screen.AddOwners(checkpoint.Members.Where(m => m.Node is not null).Select(m => KeyValuePair.Create(m.Actor, m.Node!)));
        return true;
    }

    private void StartTimers()
    {
        if (Node.Options.CausalBuffer.MaxWait is { } maxWait && maxWait > TimeSpan.Zero)
        {
            // Held events that outwait the grace period are given up (an honest event's causes precede it in the log).
            var period = maxWait / 2;
            _expiryTimer = Node.TimeProvider.CreateTimer(_ => GiveUpExpired(), null, period, period);
        }
        if (_rounds is not null && Node.Options.StrictEvictAfter is { } evictAfter)
        {
            _stop = new CancellationTokenSource();
            var period = evictAfter / 4 > TimeSpan.Zero ? evictAfter / 4 : evictAfter;
            _evictTimer = Node.TimeProvider.CreateTimer(_ => _ = EvictSilentMembersAsync(evictAfter), null, period, period);
        }
    }
}
