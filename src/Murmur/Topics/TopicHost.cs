using System.Text.Json;

namespace Murmur;

/// <summary>
/// One topic on one node: the roster and causal delivery (<see cref="CausalBuffer"/>), the delivered history, the
/// local members, and the parts that do one job each — reading the log (<see cref="TopicReader"/>), appending
/// (<see cref="TopicAppender"/>), strict rounds (<see cref="StrictRounds"/>), flow control (<see cref="FlowControl"/>).
/// </summary>
/// <remarks>
/// Lock order: <see cref="Gate"/>, then a process's mailbox lock (waking a member posts to it). Nothing takes the
/// gate while holding a mailbox lock. The buffer, the history, the rounds and the member list are guarded by the gate.
/// </remarks>
internal sealed partial class TopicHost : IAsyncDisposable
{
    private CausalBuffer _buffer;
    private readonly DeliveredHistory _history = new();
    private readonly List<TopicMember> _members = [];
    private readonly StrictRounds? _rounds;
    private readonly FlowControl? _flow;
    private readonly Waiters _conditions;
    private HashSet<string>? _joining;
    private string? _admittingId;                 // the event being offered, and its log position
    private long _admittingPosition;
    private Dictionary<string, long>? _heldPositions;  // positions of events the buffer holds
    private ulong[] _baseClock = [];              // the clock of the events no longer retained (before History.First)
    private ITimer? _evictTimer;
    private ITimer? _expiryTimer;
    private readonly DeadLetterFeedback _feedback;
    private CancellationTokenSource? _stop;
    private long _speculationsStarted;
    private long _speculationsCommitted;
    private long _speculationsAborted;

    public TopicHost(MurmurNode node, string name, Consistency consistency, TopicOptions options)
    {
        Node = node;
        Name = name;
        Consistency = consistency;
        Options = options;
        _buffer = new CausalBuffer(Roster.Empty, OnDelivered, BufferOptions(node, name));
        _conditions = new Waiters(Gate);
        if (consistency == Consistency.Strict)
        {
            _rounds = new StrictRounds(node.TimeProvider);
        }
        else if (node.Options.MaxLag is { } maxLag)
        {
            _flow = new FlowControl(this, maxLag);
        }
        Reader = new TopicReader(this);
        Appender = new TopicAppender(this);
        _feedback = new DeadLetterFeedback(this);
    }

    /// <summary>The node's causal buffer options for one topic, on the node's clock.</summary>
    public static CausalBufferOptions BufferOptions(MurmurNode node, string topic)
        => node.Options.CausalBuffer with { Topic = topic, TimeProvider = node.TimeProvider };

    public MurmurNode Node { get; }

    public string Name { get; }

    public string NodeId => Node.NodeId;

    public Consistency Consistency { get; }

    public TopicOptions Options { get; }

    /// <summary>Guards the topic's state (see the class remarks).</summary>
    public object Gate { get; } = new();

    public TopicReader Reader { get; }

    public TopicAppender Appender { get; }

    public Roster Roster
    {
        get
        {
            lock (Gate)
            {
                return _buffer.Roster;
            }
        }
    }

    public long DeliveredCount
    {
        get
        {
            lock (Gate)
            {
                return _history.Count;
            }
        }
    }

    /// <summary>
    /// Where a retained event sits: its actor, its own clock entry, and whether it is speculative (has <c>depends_on</c>);
    /// null when the node does not keep it (any more). Searches from the newest.
    /// </summary>
    public (string Actor, ulong Seq, bool Speculative)? Locate(string eventId)
    {
        lock (Gate)
        {
            var roster = _buffer.Roster;
            for (var i = _history.Count - 1; i >= _history.First; i--)
            {
                var e = _history[i];
                if (string.Equals(e.EventId, eventId, StringComparison.Ordinal))
                {
                    var s = roster.IndexOf(e.Actor);
                    return s >= 0 && s < e.Clock.Length ? (e.Actor, e.Clock[s], e.DependsOn.Count > 0) : null;
                }
            }
            return null;
        }
    }

    /// <summary>The roster index of <paramref name="actor"/>, or -1.</summary>
    public int IndexOf(string actor) => Volatile.Read(ref _buffer).Roster.IndexOf(actor);

    /// <summary>The roster in order, with the node that owns each member when signatures are verified.</summary>
    public List<(string Actor, string? Node)> MembersWithOwners()
    {
        var screen = Reader.Screen;
        return [.. Roster.Members.Select(m => (m, screen.OwnerOf(m)))];
    }

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
    /// Every delivered event from the topic's first, then each one as it is delivered, until cancelled. What the window
    /// no longer holds when the watcher gets to it is read back from the log.
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
            await WaitDeliveredAsync(next + 1, cancellationToken).ConfigureAwait(false);
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

    /// <summary>The retained part of the delivered history.</summary>
    public IReadOnlyList<AgentEvent> History
    {
        get
        {
            lock (Gate)
            {
                return _history.ToList();
            }
        }
    }


    /// <summary>The local members. Under the gate.</summary>
    public List<TopicMember> MembersLocked => _members;

    /// <summary>How many delivered events members may see now: all (eventual) or up to the last closed round (strict). Under the gate.</summary>
    public long VisibleCountLocked => _rounds?.Visible ?? _history.Count;

    public CausalBufferStats BufferStats()
    {
        lock (Gate)
        {
            return new CausalBufferStats(_buffer.HeldCount, _buffer.DeliveredCount, _buffer.DuplicateCount, _buffer.RejectedCount);
        }
    }

    public SpeculationStats SpeculationStats => new(Interlocked.Read(ref _speculationsStarted), Interlocked.Read(ref _speculationsCommitted), Interlocked.Read(ref _speculationsAborted));

    public void OnSpeculationStarted()
    {
        Interlocked.Increment(ref _speculationsStarted);
        MurmurDiagnostics.Count(MurmurDiagnostics.SpeculationStarted, Name);
    }

    public void OnSpeculationSettled(bool committed)
    {
        Interlocked.Increment(ref committed ? ref _speculationsCommitted : ref _speculationsAborted);
        MurmurDiagnostics.Count(committed ? MurmurDiagnostics.SpeculationCommitted : MurmurDiagnostics.SpeculationAborted, Name);
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

    /// <summary>Offers an event (from the log, or published on this node) to the causal buffer.</summary>
    public void Admit(AgentEvent @event, long position)
    {
        lock (Gate)
        {
            if (string.Equals(@event.Action, Actions.Join, StringComparison.Ordinal))
            {
                AdmitJoinLocked(@event, position);
                return;
            }
            if (@event.Clock.Length == 0 && string.Equals(@event.Action, Actions.Evict, StringComparison.Ordinal))
            {
                AdmitEvictLocked(@event);
                return;
            }
            if (@event.Clock.Length == 0 && string.Equals(@event.Action, Actions.Claim, StringComparison.Ordinal))
            {
                FenceLocalCopiesLocked(@event.Actor);
                return;
            }
            var result = OfferLocked(@event, position);
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

    /// <summary>Offers an event to the buffer, remembering its log position for the history (also while it is held).</summary>
    private OfferResult OfferLocked(AgentEvent @event, long position)
    {
        _admittingId = @event.EventId;
        _admittingPosition = position;
        try
        {
            var result = _buffer.Offer(@event);
            if (result.Outcome == OfferOutcome.Buffered)
            {
                (_heldPositions ??= new(StringComparer.Ordinal))[@event.EventId] = position;
            }
            foreach (var given in _buffer.TakeUndeliverable())
            {
                RefuseUndeliverableLocked(given);
            }
            return result;
        }
        finally
        {
            _admittingId = null;
        }
    }

    /// <summary>The log position of an event being delivered: the one offered, or one that was held.</summary>
    private long PositionOfDelivered(AgentEvent @event)
    {
        if (string.Equals(_admittingId, @event.EventId, StringComparison.Ordinal))
        {
            _heldPositions?.Remove(@event.EventId);
            return _admittingPosition;
        }
        return _heldPositions is not null && _heldPositions.Remove(@event.EventId, out var position) ? position : 0;
    }

    /// <summary>The earliest log position of an event the buffer holds, or null when it holds none.</summary>
    public long? EarliestHeldPositionLocked
    {
        get
        {
            if (_buffer.HeldCount == 0 || _heldPositions is not { Count: > 0 } held)
            {
                return null;
            }
            return held.Values.Min();
        }
    }

    /// <summary>
    /// A <c>JOIN</c>'s roster index is its order among the topic's first <c>JOIN</c>s in the log, so every node
    /// derives the same roster without coordination. It travels with an empty clock; the delivered copy carries
    /// the derived clock (own entry 1 at the new index), which is also what exports write.
    /// </summary>
    private void AdmitJoinLocked(AgentEvent join, long position)
    {
        var roster = _buffer.Roster;
        var known = roster.IndexOf(join.Actor);
        if (known >= 0 && (_buffer.LastEntryOf(known) != 0 || join.Clock.Length != 0))
        {
            return; // a node restarted and re-read its JOIN, or a repeated JOIN: the first one fixed the index
        }
        if (join.Clock.Length != 0)
        {
            // An explicit clock (e.g. from a file) must claim exactly the next free index.
            var offered = OfferLocked(join, position);
            if (offered.Outcome == OfferOutcome.Rejected)
            {
                RefuseLocked(position, join, $"{offered.Rejection}: {offered.Reason}");
            }
            return;
        }
        // A newcomer takes the next index; a member a checkpoint named before its JOIN was read keeps the index it has.
        var derived = _buffer.PlaceJoin(join)!;
        var result = OfferLocked(derived, position);
        if (result.Outcome == OfferOutcome.Rejected)
        {
            RefuseLocked(position, join, $"{result.Rejection}: {result.Reason}");
        }
    }

    /// <summary>
    /// A <c>CLAIM</c> the screen accepted (a decision about ownership, not history): a local copy of the agent at an older
    /// epoch is a zombie — its node was declared down, or it was paused past the detection time — so it is stopped.
    /// </summary>
    private void FenceLocalCopiesLocked(string actor)
    {
        var (owner, epoch) = Reader.Screen.CurrentOwner(actor);
        foreach (var member in _members)
        {
            if (string.Equals(member.Actor, actor, StringComparison.Ordinal) && member.Epoch < epoch && member.Delivery.Agent is { } agent)
            {
                Node.Fence(this, member, agent, owner, epoch);
            }
        }
    }

    /// <summary>An <c>EVICT</c> (empty clock, like a <c>JOIN</c>, ordered by the log): the member no longer holds rounds.</summary>
    private void AdmitEvictLocked(AgentEvent evict)
    {
        if (_rounds is not null && _rounds.Evict(evict.Actor, _history.Count))
        {
            WakeMembersLocked();
            _conditions.Signal();
        }
    }

    /// <summary>The buffer's sink (runs under the gate): record, then wake local members.</summary>
    private void OnDelivered(AgentEvent @event)
    {
        _history.Add(@event, PositionOfDelivered(@event));
        TrimLocked();
        _flow?.CountOwnLocked(@event);
        MurmurDiagnostics.Count(MurmurDiagnostics.EventsDelivered, Name);
        MurmurDiagnostics.RecordDeliver(Node.NodeId, Name, @event);
        if (_rounds is null || _rounds.Track(@event, _history.Count))
        {
            WakeMembersLocked();
        }
        _conditions.Signal();
    }

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

    /// <summary>The absolute index of the oldest retained delivered event.</summary>
    public long First
    {
        get
        {
            lock (Gate)
            {
                return _history.First;
            }
        }
    }

    /// <summary>Where the window starts and the clock of everything before it, read together.</summary>
    public (long First, VectorClock Base) WindowStart()
    {
        lock (Gate)
        {
            return (_history.First, Canonical(_baseClock));
        }
    }

    /// <summary>The clock of the delivered events that are no longer retained (those before <see cref="First"/>).</summary>
    public VectorClock BaseClock
    {
        get
        {
            lock (Gate)
            {
                return Canonical(_baseClock);
            }
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

    private void WakeMembersLocked()
    {
        foreach (var member in _members)
        {
            member.Delivery.Wake();
        }
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

    /// <summary>Events a member's handler kept failing on: listed as dead letters (they stay in the history for the others).</summary>
    public void DeadLetterPoison(string actor, IReadOnlyList<AgentEvent> events, string reason)
    {
        foreach (var e in events)
        {
            var text = e.ToString();
            Node.DeadLetters.Add(new DeadLetterEvent(Name, 0, e.EventId, reason, text.Length > 256 ? text[..256] : text));
            TopicLog.Refused(Node.Logger, Name, 0, $"{actor}: {reason}");
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
        TopicLog.Refused(Node.Logger, Name, position, reason);
    }

    private void RefuseLocked(long position, AgentEvent @event, string reason)
    {
        var text = @event.ToString();
        Refuse(position, @event.EventId, reason, text.Length > 256 ? text[..256] : text);
    }

    /// <summary>The first retained delivered event that matches; call only under the gate.</summary>
    public AgentEvent? FindLocked(Func<AgentEvent, bool> predicate) => _history.Find(predicate);

    /// <summary>Signals the condition waiters; call under the gate.</summary>
    public void SignalConditionsLocked() => _conditions.Signal();

    /// <summary>Waits until <paramref name="condition"/> (evaluated under the gate after each delivery) holds.</summary>
    public Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return _conditions.WaitAsync(condition, cancellationToken);
        }
    }

    public Task WaitDeliveredAsync(long count, CancellationToken cancellationToken)
        => WaitUntilAsync(() => _history.Count >= count, cancellationToken);

    /// <summary>True when this node bounds the lag of its members in this topic (<see cref="MurmurNodeOptions.MaxLag"/>, eventual topics).</summary>
    public bool IsFlowControlled => _flow is not null;

    /// <summary>How often a reader or publisher of this node waited for a slow local member.</summary>
    public long BackpressureWaits => _flow?.Waits ?? 0;

    /// <summary>The largest lag of a live local member this node has seen (0 without flow control).</summary>
    public long MaxLagSeen => _flow?.MaxLagSeen ?? 0;

    /// <summary>False while a slow local member holds back the topic's reading (see <see cref="FlowControl"/>).</summary>
    public bool HasRoomForReader => _flow?.HasRoom != false;

    /// <summary>Waits while a slow local member holds back the topic (see <see cref="FlowControl"/>).</summary>
    public ValueTask WaitForRoomAsync(TopicMember? publisher, CancellationToken cancellationToken)
        => _flow?.WaitForRoomAsync(publisher, cancellationToken) ?? ValueTask.CompletedTask;

    /// <summary>A member took events: the readers and publishers waiting for room look again.</summary>
    public void OnMemberAdvanced() => _flow?.OnMemberAdvanced();

    /// <summary>How many of <paramref name="actor"/>'s events are among the visible retained ones.</summary>
    public int CountOwn(string actor)
    {
        lock (Gate)
        {
            var own = 0;
            for (var i = _history.First; i < VisibleCountLocked; i++)
            {
                if (string.Equals(_history[i].Actor, actor, StringComparison.Ordinal))
                {
                    own++;
                }
            }
            return own;
        }
    }

    /// <summary>In strict topics, the open round (how many rounds have closed); 0 in eventual topics.</summary>
    public int ClosedRounds
    {
        get
        {
            lock (Gate)
            {
                return _rounds?.Open ?? 0;
            }
        }
    }

    /// <summary>The open round; call only under the gate (from a wait condition).</summary>
    public int ClosedRoundsLocked => _rounds?.Open ?? 0;

    /// <summary>True when <paramref name="actor"/> holds the open strict round; call only under the gate.</summary>
    public bool IsHoldingLocked(string actor) => _rounds?.IsHolding(actor) == true;

    /// <summary>The delivered counts at which each strict round closed.</summary>
    public IReadOnlyList<long> ClosePositions
    {
        get
        {
            lock (Gate)
            {
                return _rounds is null ? [] : [.. _rounds.ClosePositions];
            }
        }
    }

    /// <summary>Members evicted from strict rounds for silence.</summary>
    public IReadOnlyList<string> Evicted
    {
        get
        {
            lock (Gate)
            {
                return _rounds is null ? [] : [.. _rounds.Evicted];
            }
        }
    }

    /// <summary>The round a strict member is in and what it should do there.</summary>
    public StrictStep NextStrictStep(string actor, int viewedRound, long completedLocally)
    {
        lock (Gate)
        {
            return _rounds!.NextStep(actor, viewedRound, completedLocally);
        }
    }

    /// <summary>
    /// Appends an <c>EVICT</c> for each member that held the open round longer than <paramref name="evictAfter"/>.
    /// Its event id is derived from the member and the round, so when several nodes decide at once the log
    /// keeps one: every node agrees on one eviction.
    /// </summary>
    private async Task EvictSilentMembersAsync(TimeSpan evictAfter)
    {
        var stop = _stop!.Token;
        List<string> silent;
        int round;
        try
        {
            // Decide on the latest log, not on what this node happened to have read: a member whose ROUND_DONE
            // is already in the log is not silent.
            await Reader.CatchUpAsync(stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EventLogException or OperationCanceledException or ObjectDisposedException or TopicReleasedException)
        {
            return;
        }
        lock (Gate)
        {
            if (Node.TimeProvider.GetElapsedTime(_rounds!.OpenedAt) < evictAfter)
            {
                return;
            }
            round = _rounds.Open;
            silent = _rounds.Holders();
        }
        foreach (var actor in silent)
        {
            try
            {
                var payload = System.Text.Encoding.UTF8.GetBytes($"{{\"round\":{round},\"by\":{JsonSerializer.Serialize(Node.NodeId)}}}");
                var evict = Appender.Create(actor, Actions.Evict, payload, VectorClock.Empty, null, round, $"evict-{actor}-r{round}");
                await Appender.AppendWithRetriesAsync(Appender.Prepare(evict).Record, stop).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is EventLogException or OperationCanceledException or ObjectDisposedException)
            {
                TopicLog.AppendRetry(Node.Logger, Name, $"evict-{actor}-r{round}", 0, ex);
            }
        }
    }

    /// <summary>True once the node released the topic (it no longer follows it).</summary>
    public bool IsReleased { get; private set; }

    /// <summary>True when at least one local member ever joined (only such topics are released when their members stop).</summary>
    public bool HadMembers { get; private set; }

    /// <summary>How many local members have a live agent.</summary>
    public int LiveMembers
    {
        get
        {
            lock (Gate)
            {
                return _members.Count(m => m.Delivery.IsLive);
            }
        }
    }

    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the node stops following the topic.</summary>
    public Task Released => _released.Task;

    public async ValueTask DisposeAsync()
    {
        IsReleased = true;
        if (_evictTimer is { } timer)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }
        if (_expiryTimer is { } expiry)
        {
            await expiry.DisposeAsync().ConfigureAwait(false);
        }
        if (_stop is { } stop)
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }
        Reader.Stop();
        lock (Gate)
        {
            _conditions.FailAll(new TopicReleasedException(Name));
        }
        _stop?.Dispose();
        _released.TrySetResult();
    }
}
