using Murmur.Events;

namespace Murmur.Topics;

/// <summary>
/// Strict rounds, computed by every node from the delivered order alone (which, with no local fast path in strict
/// topics, is a function of the log): round r closes when every active member that started at or before r has
/// published <c>ROUND_DONE(r)</c>; members then see everything up to the event that closed it.
/// </summary>
/// <remarks>Guarded by the topic's gate.</remarks>
internal sealed class StrictRounds(TimeProvider time)
{
    private readonly Dictionary<string, MemberState> _members = new(StringComparer.Ordinal);
    private readonly List<long> _closePositions = [];   // delivered count at which round i closed
    private readonly List<bool> _roundHadWork = [];     // round i held at least one event other than ROUND_DONE
    private HashSet<string>? _evicted;
    private bool _openRoundHasWork;
    private int _minMembers = 1;  // from the topic's first JOIN, so every node uses the same value

    private sealed class MemberState(int startRound)
    {
        public int StartRound { get; } = startRound;

        public long DoneRound { get; set; } = -1;

        public bool Active { get; set; } = true;
    }

    /// <summary>The open round: how many rounds have closed.</summary>
    public int Open => _closePositions.Count;

    /// <summary>When the open round opened (a <see cref="TimeProvider"/> timestamp).</summary>
    public long OpenedAt { get; private set; } = time.GetTimestamp();

    /// <summary>How many delivered events members may see: up to the last closed round.</summary>
    public long Visible => _closePositions.Count == 0 ? 0 : _closePositions[^1];

    /// <summary>The delivered counts at which each round closed.</summary>
    public IReadOnlyList<long> ClosePositions => _closePositions;

    /// <summary>Members evicted for silence.</summary>
    public IReadOnlyCollection<string> Evicted => (IReadOnlyCollection<string>?)_evicted ?? [];

    /// <summary>True when <paramref name="actor"/> holds the open round.</summary>
    public bool IsHolding(string actor)
        => _members.TryGetValue(actor, out var state) && state.Active && state.DoneRound < Open && !IsEvicted(actor);

    private bool IsEvicted(string actor) => _evicted?.Contains(actor) == true;

    /// <summary>Bookkeeping of a delivered event; <paramref name="delivered"/> counts it. Returns true when members must look again.</summary>
    public bool Track(AgentEvent @event, long delivered)
    {
        var open = Open;
        switch (@event.Action)
        {
            case Actions.Join:
                if (_members.Count == 0)
                {
                    _minMembers = ReadMinMembers(@event);
                }
                _members.TryAdd(@event.Actor, new MemberState(open));
                break;
            case Actions.RoundDone when _members.TryGetValue(@event.Actor, out var member) && @event.Round is { } round:
                member.DoneRound = Math.Max(member.DoneRound, round);
                break;
            case Actions.Leave when _members.TryGetValue(@event.Actor, out var leaving):
                leaving.Active = false;
                break;
            default:
                break;
        }
        var woke = false;
        if (@event.Action != Actions.RoundDone && @event.Action != Actions.Join && @event.Round is { } r && r == open && !_openRoundHasWork)
        {
            _openRoundHasWork = true;
            woke = true;
        }
        return TryClose(delivered) || woke;
    }

    /// <summary>An <c>EVICT</c> (ordered by the log): the member no longer holds rounds. Returns true when a round closed.</summary>
    public bool Evict(string actor, long delivered)
        => (_evicted ??= new HashSet<string>(StringComparer.Ordinal)).Add(actor) && TryClose(delivered);

    private bool TryClose(long delivered)
    {
        var closed = false;
        while (true)
        {
            var round = Open;
            var holders = 0;
            var ready = true;
            foreach (var (actor, state) in _members)
            {
                if (!state.Active || state.StartRound > round || IsEvicted(actor))
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
            if (!ready || holders == 0 || _members.Count < _minMembers)
            {
                return closed;
            }
            _closePositions.Add(delivered);
            _roundHadWork.Add(_openRoundHasWork || round == 0);
            _openRoundHasWork = false;
            OpenedAt = time.GetTimestamp();
            closed = true;
        }
    }

    /// <summary>The members that hold the open round (active, started, not done, not evicted).</summary>
    public List<string> Holders()
    {
        var open = Open;
        List<string> holders = [];
        foreach (var (actor, state) in _members)
        {
            if (state.Active && state.StartRound <= open && state.DoneRound < open && !IsEvicted(actor))
            {
                holders.Add(actor);
            }
        }
        return holders;
    }

    /// <summary>The round a member is in and what it should do there.</summary>
    public StrictStep NextStep(string actor, int viewedRound, long completedLocally)
    {
        var open = Open;
        var done = _members.TryGetValue(actor, out var state) ? Math.Max(state.DoneRound, completedLocally) : completedLocally;
        if (done >= open || IsEvicted(actor))
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
