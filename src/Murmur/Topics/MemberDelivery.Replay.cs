using Murmur.Agents;
using Murmur.Causality;
using Murmur.Events;

namespace Murmur.Topics;

// A new instance's start (snapshot, replay of what earlier instances handled) and catching up from the log after the
// topic trimmed past the member.
internal sealed partial class MemberDelivery
{
    /// <summary>
    /// On a new instance, before it handles anything: restores the agent's latest snapshot (when it takes snapshots),
    /// then, on a restarted instance, hands again as replay what earlier instances handled.
    /// </summary>
    public async ValueTask StartInstanceAsync(Agent agent, CancellationToken cancellationToken)
    {
        if (agent.TakesSnapshots && await Snapshots.LoadAsync(Host, member.Actor, cancellationToken).ConfigureAwait(false) is { } snapshot)
        {
            await agent.InvokeRestoreAsync(member, snapshot.State, cancellationToken).ConfigureAwait(false);
            _skip = snapshot.Clock;
            _resumeFrom = snapshot.Position;
            _handled = _handled.Merge(snapshot.Clock);
        }
        if (member.Consistency == Consistency.Eventual && agent.ReplaysEarlierWork
            && await Host.LastOwnClockAsync(member.Actor, cancellationToken).ConfigureAwait(false) is { } lastOwn)
        {
            // What an earlier instance (here, or on a node that died) acted on is at or before its last own event.
            _replay = (_replay ?? VectorClock.Empty).Merge(lastOwn);
        }
        if (_replay is not { } replay || (_skip is { } restored && replay.Compare(restored) is ClockOrder.Before or ClockOrder.Equal))
        {
            _replay = null;
            return;
        }
        // Replay: what the earlier instances handled and the snapshot does not hold, from the log and the window.
        var events = new List<AgentEvent>();
        var after = _skip ?? VectorClock.Empty;
        if (Host.First > 0)
        {
            await foreach (var e in HistoryReplay.ReadAsync(Host, _skip is null ? 1 : _resumeFrom, after, Min(replay, Host.BaseClock), cancellationToken).ConfigureAwait(false))
            {
                events.Add(e);
                if (events.Count == LogChunk)
                {
                    await HandReplayAsync(agent, events, cancellationToken).ConfigureAwait(false);
                    events = [];
                }
            }
        }
        var window = Host.TakeVisible(Host.First, long.MaxValue, out _);
        events.AddRange(window.Where(e => Holds(replay, e) && !Holds(after, e)));
        await HandReplayAsync(agent, events, cancellationToken).ConfigureAwait(false);
        _skip = after.Merge(replay);
        _replay = null;
    }

    private async ValueTask HandReplayAsync(Agent agent, List<AgentEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }
        var view = new TopicView(member, events, isReplay: true, clock: (_skip ?? VectorClock.Empty).Merge(ClockOf(events)));
        try
        {
            await agent.InvokeEventsAsync(view, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (SkipReplayAfterFailure(events, ex))
        {
            // A replay that keeps failing would crash-loop the agent into escalation: skipped, dead-lettered, on we go.
        }
    }

    /// <summary>Like <see cref="SkipAfterFailure"/> for a replay view: the first failure crashes, the second skips it.</summary>
    private bool SkipReplayAfterFailure(List<AgentEvent> events, Exception exception)
    {
        var key = "replay:" + events[0].EventId;
        _failures = string.Equals(_failedAt, key, StringComparison.Ordinal) ? _failures + 1 : 1;
        _failedAt = key;
        if (_failures < MaxDeliveryAttempts)
        {
            return false;
        }
        Host.DeadLetterPoison(member.Actor, [events[0]],
            $"poison replay: the handler of '{member.Actor}' failed {_failures} times replaying {events.Count} events from this one ({exception.GetType().Name}: {exception.Message}); the replay was skipped");
        _failedAt = null;
        _failures = 0;
        return true;
    }

    /// <summary>The member stands before the node's window: hands it what the window no longer holds, read from the log.</summary>
    private async ValueTask CatchUpFromLogAsync(Agent agent, CancellationToken cancellationToken)
    {
        // Read the log up to the window as it is now; if it moves on meanwhile, the next pull comes back here.
        var (first, baseClock) = Host.WindowStart();
        AbsorbFrozen();
        var after = _skip ?? VectorClock.Empty;
        var replay = HistoryReplay.ReadAsync(Host, _skip is null ? 1 : _resumeFrom, after, baseClock, cancellationToken);
        var chunk = new List<AgentEvent>();
        var seen = after;
        await foreach (var e in replay.ConfigureAwait(false))
        {
            chunk.Add(e);
            if (chunk.Count == LogChunk)
            {
                seen = await HandLoggedAsync(agent, chunk, seen, cancellationToken).ConfigureAwait(false);
                chunk = [];
            }
        }
        if (chunk.Count > 0)
        {
            seen = await HandLoggedAsync(agent, chunk, seen, cancellationToken).ConfigureAwait(false);
        }
        _skip = seen;
        _logSeen = null;
        Volatile.Write(ref _deliveredIndex, first);
        Host.OnMemberAdvanced();
        Wake(); // on with the window
    }

    /// <summary>Takes over what the topic kept when it trimmed past this member: from now on it reads the log from there.</summary>
    private void AbsorbFrozen()
    {
        if (Volatile.Read(ref _frozen) is not { } frozen)
        {
            return;
        }
        Volatile.Write(ref _frozen, null);
        _skip = frozen.Seen;
        _resumeFrom = frozen.ResumeFrom;
        Volatile.Write(ref _deliveredIndex, 0);
        if (frozen.Handled is { } handled)
        {
            _handled = _handled.Merge(handled);
            Volatile.Write(ref _handledIndex, -1);
        }
    }

    /// <summary>What a member had when the topic trimmed past it.</summary>
    private sealed record Frozen(VectorClock Seen, VectorClock? Handled, long ResumeFrom);

    private async ValueTask<VectorClock> HandLoggedAsync(Agent agent, List<AgentEvent> events, VectorClock seen, CancellationToken cancellationToken)
    {
        var clock = seen.Merge(ClockOf(events));
        _logSeen = clock;
        HandOver(events);
        var view = new TopicView(member, events, isReplay: false, clock: clock) { Start = -1, End = -1 };
        await DeliverEventualAsync(agent, view, cancellationToken).ConfigureAwait(false);
        return clock;
    }
}
