namespace Murmur;

/// <summary>
/// One topic on one node: follows the topic's log, validates what it reads, derives the roster from the
/// log's order of <c>JOIN</c>s, delivers through the node's <see cref="CausalBuffer"/>, keeps the delivered
/// history, and wakes the local members.
/// </summary>
/// <remarks>
/// Lock order: <c>_gate</c>, then a process's mailbox lock (waking a member posts to it). Nothing takes
/// <c>_gate</c> while holding a mailbox lock.
/// </remarks>
internal sealed partial class TopicHost : IAsyncDisposable
{
    private readonly MurmurNode _node;
    private readonly object _gate = new();
    private readonly CausalBuffer _buffer;
    private readonly List<AgentEvent> _history = [];
    private readonly List<TopicMember> _members = [];
    private readonly Dictionary<string, ulong> _lastOwnSeq = new(StringComparer.Ordinal);
    private readonly HashSet<string> _joining = new(StringComparer.Ordinal);
    private readonly List<(long Position, TaskCompletionSource Done)> _readWaiters = [];
    private readonly List<(long Count, TaskCompletionSource Done)> _deliveryWaiters = [];
    private readonly List<(Func<bool> Condition, TaskCompletionSource Done)> _conditionWaiters = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;
    private long _readPosition;
    private long _roundOpenedAt;
    private ITimer? _evictTimer;

    public TopicHost(MurmurNode node, string name, Consistency consistency, TopicOptions options)
    {
        _node = node;
        Name = name;
        Consistency = consistency;
        Options = options;
        _buffer = new CausalBuffer(Roster.Empty, OnDelivered, node.Options.CausalBuffer with { Topic = name });
    }

    public string Name { get; }

    public string NodeId => _node.NodeId;

    public Consistency Consistency { get; }

    public TopicOptions Options { get; }

    public Roster Roster
    {
        get
        {
            lock (_gate)
            {
                return _buffer.Roster;
            }
        }
    }

    /// <summary>How many delivered events members may see now.</summary>
    public long VisibleCount
    {
        get
        {
            lock (_gate)
            {
                return VisibleCountLocked;
            }
        }
    }

    public long DeliveredCount
    {
        get
        {
            lock (_gate)
            {
                return _history.Count;
            }
        }
    }

    public long ReadPosition => Interlocked.Read(ref _readPosition);

    private long _speculationsStarted;
    private long _speculationsCommitted;
    private long _speculationsAborted;

    public SpeculationStats SpeculationStats => new(Interlocked.Read(ref _speculationsStarted), Interlocked.Read(ref _speculationsCommitted), Interlocked.Read(ref _speculationsAborted));

    internal void OnSpeculationStarted()
    {
        Interlocked.Increment(ref _speculationsStarted);
        MurmurDiagnostics.Count(MurmurDiagnostics.SpeculationStarted, Name);
    }

    internal void OnSpeculationSettled(bool committed)
    {
        Interlocked.Increment(ref committed ? ref _speculationsCommitted : ref _speculationsAborted);
        MurmurDiagnostics.Count(committed ? MurmurDiagnostics.SpeculationCommitted : MurmurDiagnostics.SpeculationAborted, Name);
    }

    public IReadOnlyList<AgentEvent> History
    {
        get
        {
            lock (_gate)
            {
                return [.. _history];
            }
        }
    }

    public IEventLog NodeLog => _node.Log;

    public CausalBufferStats BufferStats()
    {
        lock (_gate)
        {
            return new CausalBufferStats(_buffer.HeldCount, _buffer.DeliveredCount, _buffer.DuplicateCount, _buffer.RejectedCount);
        }
    }

    public void Start()
    {
        _roundOpenedAt = _node.TimeProvider.GetTimestamp();
        if (Consistency == Consistency.Strict && _node.Options.StrictEvictAfter is { } evictAfter)
        {
            var period = evictAfter / 4 > TimeSpan.Zero ? evictAfter / 4 : evictAfter;
            _evictTimer = _node.TimeProvider.CreateTimer(_ => _ = EvictSilentMembersAsync(evictAfter), null, period, period);
        }
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>Follows the log from the start; a transport error is logged and the read resumes where it stopped.</summary>
    private async Task ReadLoopAsync()
    {
        var next = 1L;
        var failures = 0;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await foreach (var entry in _node.Log.ReadAsync(Name, next, follow: true, _stop.Token).ConfigureAwait(false))
                {
                    await WaitForRoomAsync(null, _stop.Token).ConfigureAwait(false);
                    Process(entry);
                    next = entry.Position + 1;
                    failures = 0;
                }
            }
            catch (Exception ex) when (_stop.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                TopicLog.ReadFailed(_node.Logger, Name, next, ex);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 50 * failures)), _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Process(LogEntry entry)
    {
        if (!AgentEventCodec.TryDecode(entry.Data.Span, _node.Options.EventLimits, null, out var @event, out var error))
        {
            Refuse(entry.Position, string.IsNullOrEmpty(entry.EventId) ? null : entry.EventId, error!.ToString(), entry.Data.Span);
        }
        else if (@event!.Topic is { } topic && !string.Equals(topic, Name, StringComparison.Ordinal))
        {
            Refuse(entry.Position, @event.EventId, $"topic: the event names topic '{topic}' but was read from '{Name}'", entry.Data.Span);
        }
        else if (_node.Verifier is { } verifier && CheckSignature(verifier, @event) is { } refusal)
        {
            Refuse(entry.Position, @event.EventId, refusal, entry.Data.Span);
        }
        else
        {
            Admit(@event, entry.Position);
        }
        List<TaskCompletionSource>? released = null;
        lock (_readWaiters)
        {
            Volatile.Write(ref _readPosition, entry.Position);
            for (var i = _readWaiters.Count - 1; i >= 0; i--)
            {
                if (_readWaiters[i].Position <= entry.Position)
                {
                    (released ??= []).Add(_readWaiters[i].Done);
                    _readWaiters.RemoveAt(i);
                }
            }
        }
        released?.ForEach(done => done.TrySetResult());
    }

    /// <summary>Offers an event (from the log, or published on this node) to the causal buffer.</summary>
    internal void Admit(AgentEvent @event, long position)
    {
        lock (_gate)
        {
            if (string.Equals(@event.Action, Actions.Join, StringComparison.Ordinal))
            {
                AdmitJoin(@event, position);
                return;
            }
            if (@event.Clock.Length == 0 && string.Equals(@event.Action, Actions.Evict, StringComparison.Ordinal))
            {
                AdmitEvictLocked(@event);
                return;
            }
            var index = _buffer.Roster.IndexOf(@event.Actor);
            if (index >= 0 && index < @event.Clock.Length)
            {
                var seq = @event.Clock[index];
                if (!_lastOwnSeq.TryGetValue(@event.Actor, out var last) || seq > last)
                {
                    _lastOwnSeq[@event.Actor] = seq;
                }
            }
            var result = _buffer.Offer(@event);
            if (result.Outcome == OfferOutcome.Rejected)
            {
                RefuseLocked(position, @event, $"{result.Rejection}: {result.Reason}");
            }
            else if (result.Outcome == OfferOutcome.Duplicate)
            {
                MurmurDiagnostics.Count(MurmurDiagnostics.EventsDuplicates, Name);
            }
        }
    }

    /// <summary>
    /// A <c>JOIN</c>'s roster index is its order among the topic's first <c>JOIN</c>s in the log, so every node
    /// derives the same roster without coordination. It travels with an empty clock; the delivered copy carries
    /// the derived clock (own entry 1 at the new index), which is also what exports write.
    /// </summary>
    private void AdmitJoin(AgentEvent join, long position)
    {
        var roster = _buffer.Roster;
        if (roster.Contains(join.Actor))
        {
            return; // a node restarted and re-read its JOIN, or a repeated JOIN: the first one fixed the index
        }
        if (join.Clock.Length != 0)
        {
            // An explicit clock (e.g. from a file) must claim exactly the next free index.
            var offered = _buffer.Offer(join);
            if (offered.Outcome == OfferOutcome.Rejected)
            {
                RefuseLocked(position, join, $"{offered.Rejection}: {offered.Reason}");
            }
            return;
        }
        var entries = new ulong[roster.Count + 1];
        entries[^1] = 1;
        var derived = new AgentEvent(join.EventId, join.Actor, join.Action, join.Payload, VectorClock.FromEntries(entries))
        {
            Topic = join.Topic,
            Timestamp = join.Timestamp,
            TraceParent = join.TraceParent,
            Signature = join.Signature,
        };
        _lastOwnSeq[join.Actor] = 1;
        var result = _buffer.Offer(derived);
        if (result.Outcome == OfferOutcome.Rejected)
        {
            RefuseLocked(position, join, $"{result.Rejection}: {result.Reason}");
        }
    }

    /// <summary>The buffer's sink (runs under <c>_gate</c>): record, then wake local members.</summary>
    private void OnDelivered(AgentEvent @event)
    {
        _history.Add(@event);
        CountOwnLocked(@event);
        MurmurDiagnostics.Count(MurmurDiagnostics.EventsDelivered, Name);
        MurmurDiagnostics.RecordDeliver(_node.NodeId, Name, @event);
        if (Consistency == Consistency.Eventual || TrackStrictLocked(@event))
        {
            foreach (var member in _members)
            {
                member.Wake();
            }
        }
        CheckConditionsLocked();
        for (var i = _deliveryWaiters.Count - 1; i >= 0; i--)
        {
            if (_deliveryWaiters[i].Count <= _history.Count)
            {
                _deliveryWaiters[i].Done.TrySetResult(); // continuations run asynchronously: safe under the lock
                _deliveryWaiters.RemoveAt(i);
            }
        }
        _node.OnDelivered(this, @event);
    }

    /// <summary>Events after <paramref name="from"/> that a member may see now.</summary>
    internal IReadOnlyList<AgentEvent> TakeVisible(long from, out long upTo)
    {
        lock (_gate)
        {
            upTo = VisibleCountLocked;
            return from >= upTo ? [] : _history.GetRange((int)from, (int)(upTo - from));
        }
    }

    /// <summary>Events a member's handler kept failing on: listed as dead letters (they stay in the history for the others).</summary>
    internal void DeadLetterPoison(string actor, IReadOnlyList<AgentEvent> events, string reason)
    {
        foreach (var e in events)
        {
            var text = e.ToString();
            _node.DeadLetters.Add(new DeadLetterEvent(Name, 0, e.EventId, reason, text.Length > 256 ? text[..256] : text));
            TopicLog.Refused(_node.Logger, Name, 0, $"{actor}: {reason}");
        }
    }

    private void Refuse(long position, string? eventId, string reason, ReadOnlySpan<byte> data)
    {
        _node.DeadLetters.Add(new DeadLetterEvent(Name, position, eventId, reason, DeadLetterStore.ExcerptOf(data)));
        MurmurDiagnostics.Count(MurmurDiagnostics.EventsRejected, Name);
        TopicLog.Refused(_node.Logger, Name, position, reason);
    }

    private void RefuseLocked(long position, AgentEvent @event, string reason)
    {
        var text = @event.ToString();
        _node.DeadLetters.Add(new DeadLetterEvent(Name, position, @event.EventId, reason, text.Length > 256 ? text[..256] : text));
        MurmurDiagnostics.Count(MurmurDiagnostics.EventsRejected, Name);
        TopicLog.Refused(_node.Logger, Name, position, reason);
    }

    /// <summary>The first delivered event that matches; call only under the topic's lock.</summary>
    internal AgentEvent? FindLocked(Func<AgentEvent, bool> predicate)
    {
        foreach (var e in _history)
        {
            if (predicate(e))
            {
                return e;
            }
        }
        return null;
    }

    private void CheckConditionsLocked()
    {
        for (var i = _conditionWaiters.Count - 1; i >= 0; i--)
        {
            if (_conditionWaiters[i].Condition())
            {
                _conditionWaiters[i].Done.TrySetResult();
                _conditionWaiters.RemoveAt(i);
            }
        }
    }

    /// <summary>Waits until <paramref name="condition"/> (evaluated under the topic's lock after each delivery) holds.</summary>
    internal Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (condition())
            {
                return Task.CompletedTask;
            }
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _conditionWaiters.Add((condition, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    internal Task WaitDeliveredAsync(long count, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_history.Count >= count)
            {
                return Task.CompletedTask;
            }
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _deliveryWaiters.Add((count, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    internal Task WaitReadAsync(long position, CancellationToken cancellationToken)
    {
        lock (_readWaiters)
        {
            if (Volatile.Read(ref _readPosition) >= position)
            {
                return Task.CompletedTask;
            }
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _readWaiters.Add((position, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_evictTimer is { } timer)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _reader.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
        }
        _stop.Dispose();
    }
}
