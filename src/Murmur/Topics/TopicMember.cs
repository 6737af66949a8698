using System.Text.Json;

namespace Murmur;

/// <summary>
/// An agent's membership of a topic: its roster index, what it has seen, and publishing. The runtime stamps
/// every published event's vector clock; user code never handles clocks.
/// </summary>
/// <remarks>
/// Publish from the agent's own handlers. Publishes of one member are serialized, and an append that failed
/// is appended again (same event id) before the next one, so the member's sequence never has a gap or a fork.
/// </remarks>
public sealed class TopicMember
{
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _publishing = new(1, 1);
    private readonly TopicDelivery _wake;
    private AgentRef? _agent;
    private int _wakePending;
    private long _ownPending;
    private int _waitingForRoom;
    private long _deliveredIndex;
    private long _replayUntil;
    private long _handledIndex;       // everything before it was handled by some instance without a crash
    private long _isolateUntil;       // after a failed view, deliver one event at a time up to here
    private long _failedAt = -1;      // start of the view that failed last
    private int _failures;            // how often the view at _failedAt failed
    private VectorClock _seen;
    private ulong _ownSeq;
    private (AgentEvent Event, LogRecord Record)? _unacknowledged;
    private int _viewedRound = -1;
    private long _completedRound = -1;
    private long _publishedRound = -1;

    internal TopicMember(TopicHost host, AgentId id, int index, ulong ownSeq)
    {
        Host = host;
        AgentId = id;
        Actor = id.ToString();
        Index = index;
        _ownSeq = ownSeq;
        _wake = new TopicDelivery(this);
        Speculations = new SpeculationTracker(this);
    }

    internal SpeculationTracker Speculations { get; }

    internal Agent? Instance { get; set; }

    /// <summary>Starts speculative work on provisional events (eventual topics); see <see cref="Speculation"/>.</summary>
    /// <exception cref="InvalidOperationException">The topic is strict: strict rounds never act on provisional state.</exception>
    public Speculation Speculate(IReadOnlyList<string> dependsOn)
    {
        ArgumentNullException.ThrowIfNull(dependsOn);
        if (Consistency == Consistency.Strict)
        {
            throw new InvalidOperationException($"Topic '{Topic}' is strict; speculation exists only in eventual topics.");
        }
        if (dependsOn.Count == 0)
        {
            throw new ArgumentException("A speculation depends on at least one event.", nameof(dependsOn));
        }
        return Speculations.Start(dependsOn);
    }

    /// <summary>True when this member has seen <paramref name="eventId"/> confirmed (its producer's <c>TASK_COMPLETE</c>, or a commit listing it).</summary>
    public bool IsConfirmed(string eventId) => Speculations.IsConfirmed(eventId);

    /// <summary>True when this member has seen <paramref name="eventId"/> withdrawn (<c>RETRACT</c>, or an abort listing it).</summary>
    public bool IsWithdrawn(string eventId) => Speculations.IsWithdrawn(eventId);

    internal ValueTask NotifyAbortedAsync(Speculation speculation, CancellationToken cancellationToken)
        => Instance is { } agent ? agent.InvokeSpeculationAbortedAsync(speculation, cancellationToken) : ValueTask.CompletedTask;

    internal ValueTask NotifyCommittedAsync(Speculation speculation, CancellationToken cancellationToken)
        => Instance is { } agent ? agent.InvokeSpeculationCommittedAsync(speculation, cancellationToken) : ValueTask.CompletedTask;

    internal TopicHost Host { get; }

    /// <summary>The topic's name.</summary>
    public string Topic => Host.Name;

    /// <summary>The topic's consistency mode.</summary>
    public Consistency Consistency => Host.Consistency;

    /// <summary>The member's agent id.</summary>
    public AgentId AgentId { get; }

    /// <summary>The member's name in events (<c>actor</c>).</summary>
    public string Actor { get; }

    /// <summary>The member's index in the topic's roster, which is its entry in every vector clock.</summary>
    public int Index { get; }

    /// <summary>Everything this member's agent instance has been handed, as a vector clock.</summary>
    public VectorClock Seen => _seen;

    /// <summary>How many events this member has published (its own clock entry).</summary>
    public ulong Sequence => _ownSeq;

    /// <summary>Publishes an event whose payload is <paramref name="payload"/> serialized as JSON (web defaults), or <c>{}</c> when null.</summary>
    /// <returns>The event as appended, with its id and vector clock.</returns>
    /// <exception cref="EventLogException">The log refused or failed the append (after retries). The event is kept and appended again first by the next publish.</exception>
    public Task<AgentEvent> PublishAsync(string action, object? payload = null, IReadOnlyList<string>? dependsOn = null, CancellationToken cancellationToken = default)
    {
        var json = payload switch
        {
            null => ReadOnlyMemory<byte>.Empty,
            JsonElement element => JsonSerializer.SerializeToUtf8Bytes(element),
            _ => JsonSerializer.SerializeToUtf8Bytes(payload, payload.GetType(), PayloadJson),
        };
        return PublishRawAsync(action, json, dependsOn, cancellationToken);
    }

    /// <summary>Publishes an event whose payload is the given UTF-8 JSON value.</summary>
    /// <exception cref="ArgumentException">The action is empty or the payload is not one JSON value.</exception>
    public async Task<AgentEvent> PublishRawAsync(string action, ReadOnlyMemory<byte> payloadJson, IReadOnlyList<string>? dependsOn = null, CancellationToken cancellationToken = default)
    {
        var (@event, acknowledged) = await BeginPublishAsync(action, payloadJson, dependsOn, cancellationToken).ConfigureAwait(false);
        await acknowledged.ConfigureAwait(false);
        return @event;
    }

    /// <summary>
    /// Stamps and starts appending an event, and returns it with the append still in flight: the caller may act on
    /// the event's id while the log acknowledges it. The member's next publish waits for this append (and appends the
    /// event again first if it failed), so the sequence stays gap-free and in order. The caller must await
    /// <c>Acknowledged</c>; it fails like <see cref="PublishRawAsync"/>.
    /// </summary>
    internal async Task<(AgentEvent Event, Task Acknowledged)> BeginPublishAsync(string action, ReadOnlyMemory<byte> payloadJson, IReadOnlyList<string>? dependsOn, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(action);
        var activity = MurmurDiagnostics.StartPublish(Host.NodeId, Topic, Actor, action);
        try
        {
            await _publishing.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            activity?.Dispose();
            throw;
        }
        AgentEvent @event;
        LogRecord record;
        try
        {
            if (_unacknowledged is { } earlier)
            {
                await Host.AppendAsync(earlier.Event, earlier.Record, cancellationToken).ConfigureAwait(false);
                _unacknowledged = null;
            }
            ulong? round = null;
            if (Consistency == Consistency.Strict)
            {
                var open = Host.ClosedRounds;
                var isMarker = string.Equals(action, Actions.RoundDone, StringComparison.Ordinal);
                if (!isMarker && _completedRound >= open)
                {
                    throw new InvalidOperationException(
                        $"'{Actor}' already completed round {open} of strict topic '{Topic}'; publish in the next round's view.");
                }
                round = (ulong)open;
                _publishedRound = open;
            }
            await Host.WaitForRoomAsync(this, cancellationToken).ConfigureAwait(false);
            var seq = _ownSeq + 1;
            (@event, record) = Host.Prepare(Host.CreateEvent(Actor, action, payloadJson, StampClock(seq), dependsOn, round, traceParent: MurmurDiagnostics.TraceParentOf(activity)));
            MurmurDiagnostics.Published(activity, @event);
            _ownSeq = seq;
            _unacknowledged = (@event, record);
        }
        catch
        {
            _publishing.Release();
            activity?.Dispose();
            throw;
        }
        return (@event, AcknowledgeAsync(@event, record, activity, cancellationToken));
    }

    private async Task AcknowledgeAsync(AgentEvent @event, LogRecord record, System.Diagnostics.Activity? activity, CancellationToken cancellationToken)
    {
        try
        {
            await Host.AppendAsync(@event, record, cancellationToken).ConfigureAwait(false);
            _unacknowledged = null;
        }
        finally
        {
            _publishing.Release();
            activity?.Dispose();
        }
    }

    /// <summary>The strict round this member is in (the topic's open round); -1 in eventual topics.</summary>
    public int Round => Consistency == Consistency.Strict ? Host.ClosedRounds : -1;

    /// <summary>
    /// Ends this member's part of the open strict round (<c>ROUND_DONE</c>). The runtime does this by itself when
    /// <see cref="Agent.OnEventsAsync"/> returns, and at the end of any handler that published in the round.
    /// </summary>
    public async Task CompleteRoundAsync(CancellationToken cancellationToken = default)
    {
        if (Consistency != Consistency.Strict)
        {
            throw new InvalidOperationException($"Topic '{Topic}' is eventual; rounds exist only in strict topics.");
        }
        var round = Host.ClosedRounds;
        if (_completedRound >= round)
        {
            return;
        }
        await PublishRawAsync(Actions.RoundDone, System.Text.Encoding.UTF8.GetBytes($"{{\"round\":{round}}}"), null, cancellationToken).ConfigureAwait(false);
        _completedRound = round;
    }

    /// <summary>After a handler: a strict member that published in the open round completes it.</summary>
    internal Task CompleteIfPublishedAsync(CancellationToken cancellationToken)
        => Consistency == Consistency.Strict && _publishedRound >= 0 && _publishedRound > _completedRound && _publishedRound == Host.ClosedRounds
            ? CompleteRoundAsync(cancellationToken)
            : Task.CompletedTask;

    /// <summary>In the agent's turn, for strict topics: what to do next, and the view if there is one.</summary>
    internal (TopicView? View, StrictStep Step) PullStrict()
    {
        Volatile.Write(ref _wakePending, 0);
        var step = Host.NextStrictStep(Actor, _viewedRound, _completedRound);
        if (step.Action is not (StrictAction.View or StrictAction.Idle))
        {
            return (null, step);
        }
        _viewedRound = step.Round;
        var events = Host.TakeVisible(_deliveredIndex, out var upTo);
        foreach (var e in events)
        {
            _seen = _seen.Merge(e.Clock);
        }
        _deliveredIndex = upTo;
        _handledIndex = upTo; // strict views are not retried event by event
        return (new TopicView(this, events, isReplay: false, step.Round), step);
    }

    /// <summary>Leaves the topic (a <c>LEAVE</c> event); the member no longer holds strict rounds.</summary>
    public Task<AgentEvent> LeaveAsync(CancellationToken cancellationToken = default)
        => PublishAsync(Actions.Leave, null, null, cancellationToken);

    private VectorClock StampClock(ulong seq)
    {
        var seen = _seen.Entries;
        var entries = new ulong[Math.Max(seen.Length, Index + 1)];
        seen.CopyTo(entries);
        entries[Index] = seq;
        return VectorClock.FromEntries(entries);
    }

    /// <summary>How many visible events of the topic this member has been handed (read by the topic's flow control).</summary>
    internal long DeliveredIndex => Volatile.Read(ref _deliveredIndex);

    /// <summary>True when an agent is bound and alive: only live members hold back flow control.</summary>
    internal bool IsLive => _agent is { IsAlive: true };

    /// <summary>Own events delivered to the topic but not yet handed to this member: they do not make it slow.</summary>
    internal long OwnPending => Interlocked.Read(ref _ownPending);

    /// <summary>True while this member waits for room to publish: flow control does not wait for it meanwhile.</summary>
    internal bool WaitingForRoom => Volatile.Read(ref _waitingForRoom) != 0;

    internal void AddOwnPending(long delta) => Interlocked.Add(ref _ownPending, delta);

    internal void SetWaitingForRoom(bool waiting) => Volatile.Write(ref _waitingForRoom, waiting ? 1 : 0);

    private void HandOver(IReadOnlyList<AgentEvent> events)
    {
        var counting = Host.IsFlowControlled;
        var own = 0;
        foreach (var e in events)
        {
            _seen = _seen.Merge(e.Clock);
            if (counting && string.Equals(e.Actor, Actor, StringComparison.Ordinal))
            {
                own++;
            }
        }
        if (own != 0)
        {
            AddOwnPending(-own);
        }
    }

    internal void Bind(AgentRef agent)
    {
        _agent = agent;
        Wake();
    }

    /// <summary>
    /// A new agent instance starts: it is handed the topic from the start. After a restart, what the previous
    /// instance had been handed is replayed before the new one handles any message (see <see cref="PullReplay"/>).
    /// </summary>
    internal void ResetForNewInstance(bool restart)
    {
        // Replay what was handled; a view whose handler crashed is handed again, live, to the new instance.
        _replayUntil = restart ? _handledIndex : 0;
        Volatile.Write(ref _deliveredIndex, 0);
        Interlocked.Exchange(ref _ownPending, Host.IsFlowControlled ? Host.CountOwn(Actor, long.MaxValue) : 0);
        _seen = VectorClock.Empty;
        _viewedRound = -1;
        Wake();
    }

    /// <summary>The part of the history a restarted instance must be handed again; null when there is none.</summary>
    internal TopicView? PullReplay()
    {
        if (_deliveredIndex >= _replayUntil)
        {
            return null;
        }
        var events = Host.TakeVisible(_deliveredIndex, out _);
        var replay = events.Take((int)(_replayUntil - _deliveredIndex)).ToList();
        HandOver(replay);
        Volatile.Write(ref _deliveredIndex, _replayUntil);
        Host.OnMemberAdvanced();
        return new TopicView(this, replay, isReplay: true);
    }

    /// <summary>Called by the topic when it delivered events; posts one wake-up at a time.</summary>
    internal void Wake()
    {
        if (_agent is { } agent && Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            agent.Post(_wake, null);
        }
    }

    /// <summary>In the agent's turn: takes what it has not seen; null when nothing is new.</summary>
    internal TopicView? Pull()
    {
        // Clear the flag before reading, so a delivery racing with this pull posts a new wake-up.
        Volatile.Write(ref _wakePending, 0);
        var events = Host.TakeVisible(_deliveredIndex, out var upTo);
        if (events.Count == 0)
        {
            return null;
        }
        if (_deliveredIndex < _isolateUntil && events.Count > 1)
        {
            // Isolating a poison event: one at a time until past the range that failed.
            events = [events[0]];
            upTo = _deliveredIndex + 1;
            Wake();
        }
        var replay = upTo <= _replayUntil; // only when a replay was cut short; PullReplay normally takes it all
        HandOver(events);
        var start = _deliveredIndex;
        Volatile.Write(ref _deliveredIndex, upTo);
        Host.OnMemberAdvanced();
        return new TopicView(this, events, replay) { Start = start, End = upTo };
    }

    /// <summary>The agent's handler returned for <paramref name="view"/>.</summary>
    internal void Handled(TopicView view)
    {
        if (view.End > _handledIndex)
        {
            _handledIndex = view.End;
        }
    }

    /// <summary>How often a view may crash the agent before its events are dead-lettered and skipped.</summary>
    internal const int MaxDeliveryAttempts = 2;

    /// <summary>
    /// The handler threw on <paramref name="view"/>. The first time, the agent crashes as usual (its supervisor
    /// decides) and the view is handed again one event at a time; an event (or view) that fails again is a poison
    /// event: it goes to the node's dead letters with the reason, is skipped, and the agent goes on — so one bad
    /// event cannot crash-loop an agent into escalation and take the topic down. Returns true to skip.
    /// </summary>
    internal bool SkipAfterFailure(TopicView view, Exception exception)
    {
        if (view.IsReplay)
        {
            return false;
        }
        _failures = _failedAt == view.Start ? _failures + 1 : 1;
        _failedAt = view.Start;
        if (_failures < MaxDeliveryAttempts)
        {
            _isolateUntil = Math.Max(_isolateUntil, view.End);
            return false;
        }
        Host.DeadLetterPoison(Actor, view.New, $"poison event: the handler of '{Actor}' failed {_failures} times on it ({exception.GetType().Name}: {exception.Message})");
        _handledIndex = Math.Max(_handledIndex, view.End);
        _failedAt = -1;
        _failures = 0;
        return true;
    }
}
