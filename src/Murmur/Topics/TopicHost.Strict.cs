namespace Murmur;

/// <summary>
/// Strict rounds, computed by every node from the delivered order alone (which, with no local fast path in
/// strict topics, is a function of the log): round r closes when every active member that started at or
/// before r has published <c>ROUND_DONE(r)</c>; members then see everything up to the event that closed it.
/// </summary>
internal sealed partial class TopicHost
{
    private readonly Dictionary<string, StrictMemberState> _strict = new(StringComparer.Ordinal);
    private readonly List<int> _closePositions = [];   // history count at which round i closed
    private readonly List<bool> _roundHadWork = [];    // round i held at least one event other than ROUND_DONE
    private readonly HashSet<string> _evicted = new(StringComparer.Ordinal);
    private bool _openRoundHasWork;
    private int _minMembers = 1;  // from the topic's first JOIN, so every node uses the same value

    private sealed class StrictMemberState(int startRound)
    {
        public int StartRound { get; } = startRound;

        public long DoneRound { get; set; } = -1;

        public bool Active { get; set; } = true;
    }

    /// <summary>The open round: how many rounds have closed.</summary>
    public int ClosedRounds
    {
        get
        {
            lock (_gate)
            {
                return _closePositions.Count;
            }
        }
    }

    /// <summary>The open round; call only under the topic's lock (from a wait condition).</summary>
    internal int ClosedRoundsLocked => _closePositions.Count;

    /// <summary>True when <paramref name="actor"/> holds the open round; call only under the topic's lock.</summary>
    internal bool IsHoldingLocked(string actor)
        => _strict.TryGetValue(actor, out var state) && state.Active && state.DoneRound < _closePositions.Count && !_evicted.Contains(actor);

    /// <summary>Members evicted for silence.</summary>
    public IReadOnlyList<string> Evicted
    {
        get
        {
            lock (_gate)
            {
                return [.. _evicted];
            }
        }
    }

    /// <summary>The history positions at which each round closed (round i closed at index i).</summary>
    public IReadOnlyList<int> ClosePositions
    {
        get
        {
            lock (_gate)
            {
                return [.. _closePositions];
            }
        }
    }

    /// <summary>How many history events members may see: all of them (eventual) or up to the last closed round (strict).</summary>
    private int VisibleCountLocked => Consistency == Consistency.Strict
        ? (_closePositions.Count == 0 ? 0 : _closePositions[^1])
        : _history.Count;

    /// <summary>Bookkeeping of a delivered event in a strict topic (under <c>_gate</c>). Returns true when a round closed or the open round got work.</summary>
    private bool TrackStrictLocked(AgentEvent @event)
    {
        var open = _closePositions.Count;
        switch (@event.Action)
        {
            case Actions.Join:
                if (_strict.Count == 0)
                {
                    _minMembers = ReadMinMembers(@event);
                }
                _strict.TryAdd(@event.Actor, new StrictMemberState(open));
                break;
            case Actions.RoundDone when _strict.TryGetValue(@event.Actor, out var member) && @event.Round is { } round:
                member.DoneRound = Math.Max(member.DoneRound, (long)Math.Min(round, long.MaxValue));
                break;
            case Actions.Leave when _strict.TryGetValue(@event.Actor, out var leaving):
                leaving.Active = false;
                break;
            default:
                break;
        }
        var woke = false;
        if (@event.Action != Actions.RoundDone && @event.Action != Actions.Join && @event.Round is { } r && (long)r == open && !_openRoundHasWork)
        {
            _openRoundHasWork = true;
            woke = true;
        }
        return TryCloseRoundsLocked() || woke;
    }

    private bool TryCloseRoundsLocked()
    {
        var closed = false;
        while (true)
        {
            var round = _closePositions.Count;
            var holders = 0;
            var ready = true;
            foreach (var (actor, state) in _strict)
            {
                if (!state.Active || state.StartRound > round || _evicted.Contains(actor))
                {
                    continue;
                }
                holders++;
                if (state.DoneRound < round)
                {
                    ready = false;
                    break;
                }
            }
            if (!ready || holders == 0 || _strict.Count < _minMembers)
            {
                return closed;
            }
            _closePositions.Add(_history.Count);
            _roundHadWork.Add(_openRoundHasWork || round == 0);
            _openRoundHasWork = false;
            _roundOpenedAt = _node.TimeProvider.GetTimestamp();
            closed = true;
        }
    }

    private static int ReadMinMembers(AgentEvent join)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(join.Payload);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && document.RootElement.TryGetProperty("min_members", out var value)
                && value.TryGetInt32(out var min) && min is >= 1 and <= 1024 ? min : 1;
        }
        catch (System.Text.Json.JsonException)
        {
            return 1;
        }
    }

    /// <summary>An <c>EVICT</c> (empty clock, like a <c>JOIN</c>, ordered by the log): the member no longer holds rounds.</summary>
    private void AdmitEvictLocked(AgentEvent evict)
    {
        if (!_evicted.Add(evict.Actor))
        {
            return;
        }
        if (Consistency == Consistency.Strict && TryCloseRoundsLocked())
        {
            foreach (var member in _members)
            {
                member.Wake();
            }
            CheckConditionsLocked();
        }
    }

    /// <summary>
    /// Appends an <c>EVICT</c> for each member that held the open round longer than <paramref name="evictAfter"/>.
    /// Its event id is derived from the member and the round, so when several nodes decide at once the log
    /// keeps one: every node agrees on one eviction.
    /// </summary>
    private async Task EvictSilentMembersAsync(TimeSpan evictAfter)
    {
        List<(string Actor, int Round)> silent = [];
        try
        {
            // Decide on the latest log, not on what this node happened to have read: a member whose ROUND_DONE
            // is already in the log is not silent.
            var end = await _node.Log.GetEndPositionAsync(Name, _stop.Token).ConfigureAwait(false);
            await WaitReadAsync(end, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EventLogException or OperationCanceledException or ObjectDisposedException)
        {
            return;
        }
        lock (_gate)
        {
            if (_node.TimeProvider.GetElapsedTime(_roundOpenedAt) < evictAfter)
            {
                return;
            }
            var open = _closePositions.Count;
            foreach (var (actor, state) in _strict)
            {
                if (state.Active && state.StartRound <= open && state.DoneRound < open && !_evicted.Contains(actor))
                {
                    silent.Add((actor, open));
                }
            }
        }
        foreach (var (actor, round) in silent)
        {
            try
            {
                var payload = System.Text.Encoding.UTF8.GetBytes($"{{\"round\":{round},\"by\":\"{_node.NodeId}\"}}");
                var evict = CreateEvent(actor, Actions.Evict, payload, VectorClock.Empty, null, (ulong)round, $"evict-{actor}-r{round}");
                await AppendWithRetriesAsync(Prepare(evict).Record, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is EventLogException or OperationCanceledException or ObjectDisposedException)
            {
                TopicLog.AppendRetry(_node.Logger, Name, $"evict-{actor}-r{round}", 0, ex);
            }
        }
    }

    /// <summary>The round a member is in and what it should do there.</summary>
    internal StrictStep NextStrictStep(string actor, int viewedRound, long completedLocally)
    {
        lock (_gate)
        {
            var open = _closePositions.Count;
            var done = _strict.TryGetValue(actor, out var state) ? Math.Max(state.DoneRound, completedLocally) : completedLocally;
            if (done >= open || _evicted.Contains(actor))
            {
                return new StrictStep(open, StrictAction.Wait);
            }
            if (open > viewedRound)
            {
                // A member's first view always runs its handler (a newcomer or a restarted instance gets to act);
                // later rounds run only after a round with work, so a quiet topic stays quiet.
                var work = open == 0 || viewedRound < 0 || _roundHadWork[open - 1];
                return new StrictStep(open, work ? StrictAction.View : StrictAction.Idle);
            }
            return new StrictStep(open, _openRoundHasWork ? StrictAction.Abstain : StrictAction.Wait);
        }
    }
}

/// <summary>What a strict member does next.</summary>
internal enum StrictAction
{
    /// <summary>Nothing: it completed the open round, or waits for work.</summary>
    Wait,

    /// <summary>Hand the agent the new round's view, then complete the round.</summary>
    View,

    /// <summary>The previous round held only round markers: the topic is quiet; take the events without a handler.</summary>
    Idle,

    /// <summary>Another member did work in the open round this member was idle in: complete it without acting.</summary>
    Abstain,
}

/// <summary>A strict member's next step in <paramref name="Round"/>.</summary>
internal readonly record struct StrictStep(int Round, StrictAction Action);
