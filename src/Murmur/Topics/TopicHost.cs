using Murmur.Causality;
using Murmur.Diagnostics;
using Murmur.Events;
using Murmur.Threading;

namespace Murmur.Topics;

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

    private void WakeMembersLocked()
    {
        foreach (var member in _members)
        {
            member.Delivery.Wake();
        }
    }

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
