namespace Murmur;

/// <summary>
/// Hands one member's agent its topic's events: the wake-up the topic posts (as <see cref="AgentWork"/>, so a full
/// bounded mailbox never loses it and a restart does not either) and the member's cursor in the delivered history.
/// The agent pulls what it has not seen when the work runs, so many deliveries coalesce into one view; a restarted
/// instance is first handed again what the previous one handled (a replay), then continues live.
/// </summary>
/// <remarks>
/// The cursor moves only in the agent's turn. Flow control reads <see cref="DeliveredIndex"/>, <see cref="OwnPending"/>
/// and <see cref="WaitingForRoom"/> from other threads.
/// </remarks>
internal sealed class MemberDelivery(TopicMember member) : AgentWork
{
    /// <summary>How often a view may crash the agent before its events are dead-lettered and skipped.</summary>
    internal const int MaxDeliveryAttempts = 2;

    private AgentRef? _agent;
    private int _wakePending;
    private long _ownPending;
    private int _waitingForRoom;
    private long _deliveredIndex;     // absolute index in the topic's delivered history: everything before it was handed over
    private long _replayUntil;
    private long _handledIndex;       // everything before it was handled by some instance without a crash
    private long _isolateUntil;       // after a failed view, deliver one event at a time up to here
    private long _failedAt = -1;      // start of the view that failed last
    private int _failures;            // how often the view at _failedAt failed
    private int _viewedRound = -1;

    private TopicHost Host => member.Host;

    /// <summary>How many delivered events of the topic this member has been handed.</summary>
    public long DeliveredIndex => Volatile.Read(ref _deliveredIndex);

    /// <summary>True when an agent is bound and alive: only live members hold back flow control.</summary>
    public bool IsLive => _agent is { IsAlive: true };

    /// <summary>Own events delivered to the topic but not yet handed to this member: they do not make it slow.</summary>
    public long OwnPending => Interlocked.Read(ref _ownPending);

    /// <summary>True while this member waits for room to publish: flow control does not wait for it meanwhile.</summary>
    public bool WaitingForRoom => Volatile.Read(ref _waitingForRoom) != 0;

    public void AddOwnPending(long delta) => Interlocked.Add(ref _ownPending, delta);

    public void SetWaitingForRoom(bool waiting) => Volatile.Write(ref _waitingForRoom, waiting ? 1 : 0);

    /// <summary>The agent process is spawned: from now on deliveries wake it.</summary>
    public void Bind(AgentRef agent)
    {
        _agent = agent;
        Wake();
    }

    /// <summary>Called by the topic when it delivered events; queues one wake-up at a time.</summary>
    public void Wake()
    {
        if (_agent is { } agent && Interlocked.Exchange(ref _wakePending, 1) == 0 && !agent.PostWork(this))
        {
            Volatile.Write(ref _wakePending, 0); // the process has terminated: nothing to wake
        }
    }

    /// <summary>
    /// A new agent instance starts: it is handed the topic from the start. After a restart, what the previous
    /// instance had handled is replayed before the new one handles any message (see <see cref="ReplayAsync"/>).
    /// </summary>
    public void ResetForNewInstance(bool restart)
    {
        // Replay what was handled; a view whose handler crashed is handed again, live, to the new instance.
        _replayUntil = restart ? _handledIndex : Host.ReplayStart;
        Volatile.Write(ref _deliveredIndex, Host.ReplayStart);
        Interlocked.Exchange(ref _ownPending, Host.IsFlowControlled ? Host.CountOwn(member.Actor) : 0);
        _viewedRound = -1;
        member.ForgetSeen();
        Wake();
    }

    /// <inheritdoc/>
    public override ValueTask RunAsync(Agent agent, CancellationToken cancellationToken)
    {
        // Clear the flag before reading, so a delivery racing with this pull posts a new wake-up.
        Volatile.Write(ref _wakePending, 0);
        if (member.Consistency == Consistency.Strict)
        {
            return DeliverStrictAsync(agent, cancellationToken);
        }
        return Pull() is { } view ? DeliverEventualAsync(agent, view, cancellationToken) : ValueTask.CompletedTask;
    }

    /// <summary>On a restarted instance, before it handles anything: hands again what the previous instance handled.</summary>
    public async ValueTask ReplayAsync(Agent agent, CancellationToken cancellationToken)
    {
        if (_deliveredIndex >= _replayUntil)
        {
            return;
        }
        var start = _deliveredIndex;
        var events = Host.TakeVisible(start, _replayUntil, out var end);
        HandOver(events);
        Volatile.Write(ref _deliveredIndex, end);
        Host.OnMemberAdvanced();
        var view = new TopicView(member, events, isReplay: true) { Start = start, End = end };
        await agent.InvokeEventsAsync(view, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes what the member has not seen; null when nothing is new.</summary>
    private TopicView? Pull()
    {
        var start = _deliveredIndex;
        var events = Host.TakeVisible(start, long.MaxValue, out var upTo);
        if (events.Count == 0)
        {
            return null;
        }
        if (start < _isolateUntil && events.Count > 1)
        {
            // Isolating a poison event: one at a time until past the range that failed.
            events = [events[0]];
            upTo = start + 1;
            Wake();
        }
        var replay = upTo <= _replayUntil; // only when a replay was cut short; ReplayAsync normally takes it all
        HandOver(events);
        Volatile.Write(ref _deliveredIndex, upTo);
        Host.OnMemberAdvanced();
        return new TopicView(member, events, replay) { Start = start, End = upTo };
    }

    /// <summary>Settles speculations on what the view confirms or withdraws (aborts first), then hands the view over.</summary>
    private async ValueTask DeliverEventualAsync(Agent agent, TopicView view, CancellationToken cancellationToken)
    {
        using var activity = MurmurDiagnostics.StartHandle(view);
        var tracker = member.Speculations;
        tracker.Observe(view.New);
        if (!view.IsReplay)
        {
            var (committed, aborted) = await tracker.SettleAllAsync(cancellationToken).ConfigureAwait(false);
            foreach (var speculation in aborted)
            {
                await agent.InvokeSpeculationAbortedAsync(speculation, cancellationToken).ConfigureAwait(false);
            }
            foreach (var speculation in committed)
            {
                await agent.InvokeSpeculationCommittedAsync(speculation, cancellationToken).ConfigureAwait(false);
            }
        }
        try
        {
            await agent.InvokeEventsAsync(view, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (SkipAfterFailure(view, ex))
        {
            return; // a poison event: dead-lettered, skipped, the agent goes on
        }
        if (view.End > _handledIndex)
        {
            _handledIndex = view.End;
        }
    }

    private async ValueTask DeliverStrictAsync(Agent agent, CancellationToken cancellationToken)
    {
        var step = Host.NextStrictStep(member.Actor, _viewedRound, member.CompletedRound);
        switch (step.Action)
        {
            case StrictAction.View or StrictAction.Idle:
                _viewedRound = step.Round;
                var start = _deliveredIndex;
                var events = Host.TakeVisible(start, long.MaxValue, out var upTo);
                Volatile.Write(ref _deliveredIndex, upTo);
                _handledIndex = upTo; // strict views are not retried event by event
                if (step.Action == StrictAction.View)
                {
                    var view = new TopicView(member, events, isReplay: false, step.Round) { Start = start, End = upTo };
                    using (MurmurDiagnostics.StartHandle(view))
                    {
                        await agent.InvokeEventsAsync(view, cancellationToken).ConfigureAwait(false);
                        await member.CompleteRoundAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
                break;
            case StrictAction.Abstain:
                await member.CompleteRoundAsync(cancellationToken).ConfigureAwait(false);
                break;
            default:
                break;
        }
    }

    private void HandOver(IReadOnlyList<AgentEvent> events)
    {
        if (!Host.IsFlowControlled)
        {
            return;
        }
        var own = 0;
        foreach (var e in events)
        {
            if (string.Equals(e.Actor, member.Actor, StringComparison.Ordinal))
            {
                own++;
            }
        }
        if (own != 0)
        {
            AddOwnPending(-own);
        }
    }

    /// <summary>
    /// The handler threw on <paramref name="view"/>. The first time, the agent crashes as usual (its supervisor
    /// decides) and the view is handed again one event at a time; an event (or view) that fails again is a poison
    /// event: it goes to the node's dead letters with the reason, is skipped, and the agent goes on — so one bad
    /// event cannot crash-loop an agent into escalation and take the topic down. Returns true to skip.
    /// </summary>
    private bool SkipAfterFailure(TopicView view, Exception exception)
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
        Host.DeadLetterPoison(member.Actor, view.New, $"poison event: the handler of '{member.Actor}' failed {_failures} times on it ({exception.GetType().Name}: {exception.Message})");
        _handledIndex = Math.Max(_handledIndex, view.End);
        _failedAt = -1;
        _failures = 0;
        return true;
    }
}
