using Murmur.Agents;
using Murmur.Causality;
using Murmur.Diagnostics;
using Murmur.Events;
using Murmur.Runtime;

namespace Murmur.Topics;

/// <summary>
/// Hands one member's agent its topic's events: the wake-up the topic posts (as <see cref="AgentWork"/>, so a full
/// bounded mailbox never loses it and a restart does not either) and where the member stands. The agent pulls what it
/// has not seen when the work runs, so many deliveries coalesce into one view.
/// </summary>
/// <remarks>
/// <para>
/// Where a member stands is an index into the node's delivered history plus, after a snapshot or a restart, a clock
/// of events it does not need again (<c>_skip</c>). An index before the node's window (a new instance, a late joiner)
/// means the older events are read back from the log first (<see cref="HistoryReplay"/>), in chunks.
/// </para>
/// <para>
/// A restarted instance is first handed, as replay, what earlier instances handled (<c>_handled</c>, a clock: what was
/// handled is a prefix of a causal order, so its clock says exactly which events it holds), then the rest live. An
/// instance that restored a snapshot skips what the snapshot holds. The position moves only in the agent's turn;
/// flow control reads <see cref="DeliveredIndex"/>, <see cref="OwnPending"/> and <see cref="WaitingForRoom"/> from other threads.
/// </para>
/// </remarks>
internal sealed partial class MemberDelivery(TopicMember member) : AgentWork
{
    /// <summary>How often a view may crash the agent before its events are dead-lettered and skipped.</summary>
    internal const int MaxDeliveryAttempts = 2;

    /// <summary>The most events in one view of events read back from the log.</summary>
    internal const int LogChunk = 1024;

    private AgentRef? _agent;
    private int _wakePending;
    private long _ownPending;
    private int _waitingForRoom;
    private long _deliveredIndex;               // next index of the delivered history to hand; before the window: read the log first
    private VectorClock? _skip;                 // events at or before it are not handed (restored from a snapshot, or replayed)
    private long _resumeFrom = 1;               // where a read of the log for this member starts (a snapshot's position)
    private VectorClock _handled = VectorClock.Empty; // what instances handled without a crash, outside the window (log, snapshot)
    private long _handledIndex = -1;            // and in the window: everything before this index (-1: nothing yet)
    private VectorClock? _replay;               // a restarted instance's replay: events at or before it
    private VectorClock? _logSeen;              // while reading the log: the clock of what was handed
    private long _isolateUntil;                 // after a failed view, deliver one event at a time up to here
    private string? _failedAt;                  // the first event of the view that failed last
    private int _failures;                      // how often that view failed
    private int _viewedRound = -1;
    private long _sinceSnapshot;                // events handed since the last snapshot
    private Frozen? _frozen;                    // set by the topic (under its gate) when it trimmed past this member

    private TopicHost Host => member.Host;

    /// <summary>How many delivered events of the topic this member has been handed (by index).</summary>
    public long DeliveredIndex => Volatile.Read(ref _deliveredIndex);

    /// <summary>
    /// The history index before which this member needs nothing more from the node's window; <see cref="long.MaxValue"/>
    /// when it reads the log anyway (it stands before the window).
    /// </summary>
    public long KeptFrom
    {
        get
        {
            if (Volatile.Read(ref _frozen) is not null)
            {
                return long.MaxValue;
            }
            var handled = Volatile.Read(ref _handledIndex);
            var delivered = Volatile.Read(ref _deliveredIndex);
            return handled < 0 ? delivered : Math.Min(handled, delivered);
        }
    }

    /// <summary>The history index up to which this member has been handed events (read by the topic under its gate).</summary>
    public long HandledIndexLocked => Volatile.Read(ref _handledIndex);

    /// <summary>What the member has seen beyond the window's clock (a restored snapshot), read by the topic under its gate.</summary>
    public VectorClock? SkipLocked => _skip;

    /// <summary>
    /// The topic trimmed past this live member (it lagged more than the window's hard limit): what it had seen and
    /// handled, and where in the log to read on from, so it catches up from the log. Called under the topic's gate.
    /// </summary>
    public void FreezeLocked(VectorClock seen, VectorClock? handled, long resumeFrom)
        => Volatile.Write(ref _frozen, new Frozen(seen, handled, resumeFrom));

    /// <summary>True when an agent is bound and alive: only live members hold back flow control and trimming.</summary>
    public bool IsLive => _agent is { IsAlive: true };

    /// <summary>Own events delivered to the topic but not yet handed to this member: they do not make it slow.</summary>
    public long OwnPending => Interlocked.Read(ref _ownPending);

    /// <summary>True while this member waits for room to publish: flow control does not wait for it meanwhile.</summary>
    public bool WaitingForRoom => Volatile.Read(ref _waitingForRoom) != 0;

    /// <summary>Everything this member's instance has been handed (or holds from its snapshot), as a clock.</summary>
    public VectorClock Seen
    {
        get
        {
            var index = DeliveredIndex;
            if (index < Host.First || Volatile.Read(ref _frozen) is not null)
            {
                return _logSeen ?? _frozen?.Seen ?? _skip ?? VectorClock.Empty;
            }
            return ClockAfter(index);
        }
    }

    /// <summary>The clock after the events before history index <paramref name="end"/> (and what the member skips as held already).</summary>
    public VectorClock ClockAfter(long end)
    {
        var clock = member.ClockAt(end);
        return _skip is { } skip ? clock.Merge(skip) : clock;
    }

    public void AddOwnPending(long delta) => Interlocked.Add(ref _ownPending, delta);

    public void SetWaitingForRoom(bool waiting) => Volatile.Write(ref _waitingForRoom, waiting ? 1 : 0);

    /// <summary>The agent process is spawned: from now on deliveries wake it.</summary>
    /// <summary>The agent this member delivers to, once bound.</summary>
    public AgentRef? Agent => _agent;

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

    /// <summary>A new agent instance starts: it is handed the topic from the start (see <see cref="StartInstanceAsync"/>).</summary>
    public void ResetForNewInstance(bool restart)
    {
        var handledIndex = Volatile.Read(ref _handledIndex);
        if (Volatile.Read(ref _frozen) is { } frozen)
        {
            // Trimmed past: the topic kept the clock of what was handled when it did.
            _handled = frozen.Handled is { } handled ? _handled.Merge(handled) : _handled;
        }
        else if (handledIndex >= 0)
        {
            // The window keeps what a live member handled (KeptFrom), so its clock is still known here.
            _handled = _handled.Merge(Host.ClockAt(Math.Max(handledIndex, Host.First)));
        }
        Volatile.Write(ref _frozen, null);
        Volatile.Write(ref _handledIndex, -1);
        _replay = restart && _handled.Length != 0 ? _handled : null;
        _skip = null;
        _logSeen = null;
        _resumeFrom = 1;
        _sinceSnapshot = 0;
        Volatile.Write(ref _deliveredIndex, 0);
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
        if (DeliveredIndex < Host.First || Volatile.Read(ref _frozen) is not null)
        {
            return CatchUpFromLogAsync(agent, cancellationToken);
        }
        return Pull() is { } view ? DeliverEventualAsync(agent, view, cancellationToken) : ValueTask.CompletedTask;
    }

    /// <summary>Takes what the member has not seen from the window; null when nothing is new.</summary>
    private TopicView? Pull()
    {
        var start = DeliveredIndex;
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
        if (_skip is { } skip)
        {
            events = events.Where(e => !Holds(skip, e)).ToList();
            if (skip.Compare(member.ClockAt(upTo)) is ClockOrder.Before or ClockOrder.Equal)
            {
                _skip = null; // everything it holds is behind the member now
            }
        }
        HandOver(events);
        Volatile.Write(ref _deliveredIndex, upTo);
        Host.OnMemberAdvanced();
        return events.Count == 0 ? null : new TopicView(member, events, isReplay: false) { Start = start, End = upTo };
    }

    /// <summary>Settles speculations on what the view confirms or withdraws (aborts first), then hands the view over.</summary>
    private async ValueTask DeliverEventualAsync(Agent agent, TopicView view, CancellationToken cancellationToken)
    {
        using var activity = MurmurDiagnostics.StartHandle(view);
        // A member that never speculated and was never handed a decision (a completion, a retraction, a commit or an
        // abort) has nothing to track: most members of most topics, which then pay nothing for speculation.
        var tracker = member.SpeculationsIfAny ?? (SpeculationTracker.Concerns(view.New) ? member.Speculations : null);
        if (tracker is not null)
        {
            tracker.Observe(view.New);
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
        Handled(view);
        await SnapshotIfDueAsync(agent, view, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>After a handled live view: a snapshot every <see cref="MurmurNodeOptions.SnapshotEvery"/> events, for agents that take them.</summary>
    private async ValueTask SnapshotIfDueAsync(Agent agent, TopicView view, CancellationToken cancellationToken)
    {
        _sinceSnapshot += view.New.Count;
        if (!agent.TakesSnapshots || _sinceSnapshot < Host.Node.Options.SnapshotEvery || DeliveredIndex < Host.First)
        {
            return;
        }
        _sinceSnapshot = 0;
        if (await agent.InvokeSnapshotAsync(member, cancellationToken).ConfigureAwait(false) is { } state)
        {
            await member.SaveSnapshotAsync(state, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask DeliverStrictAsync(Agent agent, CancellationToken cancellationToken)
    {
        var step = Host.NextStrictStep(member.Actor, _viewedRound, member.CompletedRound);
        switch (step.Action)
        {
            case StrictAction.View or StrictAction.Idle:
                _viewedRound = step.Round;
                AbsorbFrozen();
                var start = DeliveredIndex;
                var events = new List<AgentEvent>();
                if (start < Host.First)
                {
                    // A strict view holds all of the rounds before it: what the window no longer holds is read back first.
                    var first = Host.First;
                    await foreach (var e in HistoryReplay.ReadAsync(Host, _skip is null ? 1 : _resumeFrom, _skip ?? VectorClock.Empty, Host.BaseClock, cancellationToken)
                        .ConfigureAwait(false))
                    {
                        events.Add(e);
                    }
                    start = first;
                }
                events.AddRange(Host.TakeVisible(start, long.MaxValue, out var upTo));
                if (_skip is { } skip)
                {
                    events = events.Where(e => !Holds(skip, e)).ToList();
                }
                Volatile.Write(ref _deliveredIndex, upTo);
                if (step.Action == StrictAction.View)
                {
                    var view = new TopicView(member, events, isReplay: false, step.Round) { Start = start, End = upTo };
                    using (MurmurDiagnostics.StartHandle(view))
                    {
                        await agent.InvokeEventsAsync(view, cancellationToken).ConfigureAwait(false);
                        await member.CompleteRoundAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
                Volatile.Write(ref _handledIndex, upTo); // strict views are not retried event by event
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
        if (view.IsReplay || view.New.Count == 0)
        {
            return false;
        }
        var key = view.New[0].EventId;
        _failures = string.Equals(_failedAt, key, StringComparison.Ordinal) ? _failures + 1 : 1;
        _failedAt = key;
        if (_failures < MaxDeliveryAttempts)
        {
            if (view.End >= 0)
            {
                _isolateUntil = Math.Max(_isolateUntil, view.End);
            }
            return false;
        }
        Host.DeadLetterPoison(member.Actor, view.New, $"poison event: the handler of '{member.Actor}' failed {_failures} times on it ({exception.GetType().Name}: {exception.Message})");
        Handled(view);
        _failedAt = null;
        _failures = 0;
        return true;
    }

    /// <summary>Records a handled view: by index in the window, by clock when it was read from the log.</summary>
    private void Handled(TopicView view)
    {
        if (view.End >= 0)
        {
            Volatile.Write(ref _handledIndex, Math.Max(Volatile.Read(ref _handledIndex), view.End));
        }
        else
        {
            _handled = _handled.Merge(view.Clock);
        }
    }

    /// <summary>True when <paramref name="clock"/> counts <paramref name="e"/> (its sender's entry reaches e's own entry).</summary>
    private bool Holds(VectorClock clock, AgentEvent e)
    {
        var s = Host.IndexOf(e.Actor);
        return s >= 0 && s < clock.Length && s < e.Clock.Length && e.Clock[s] <= clock[s];
    }

    private static VectorClock ClockOf(List<AgentEvent> events)
    {
        var clock = VectorClock.Empty;
        foreach (var e in events)
        {
            clock = clock.Merge(e.Clock);
        }
        return clock;
    }

    private static VectorClock Min(VectorClock a, VectorClock b)
    {
        var length = Math.Min(a.Length, b.Length);
        var entries = new ulong[length];
        for (var i = 0; i < length; i++)
        {
            entries[i] = Math.Min(a[i], b[i]);
        }
        return VectorClock.FromEntries(entries);
    }
}
