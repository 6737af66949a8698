using System.Diagnostics;
using System.Numerics;
using Murmur.Events;

namespace Murmur.Causality;

/// <summary>
/// Delivers a topic's events in causal order: an event is handed to the sink once every event that happened
/// before it was handed over, exactly once, whatever order the events arrive in.
/// </summary>
/// <remarks>
/// <para>
/// An event from the member at index <c>s</c> with clock <c>V</c> is <em>ready</em> when
/// <c>V[s] = D[s] + 1</c> and <c>V[j] ≤ D[j]</c> for every other <c>j</c>, where <c>D</c> counts the events
/// delivered per member (the causal-broadcast rule of Birman, Schiper and Stephenson, 1991, on the vector
/// clocks of Mattern, 1989). Held events sit in one table per sender keyed by own entry; the only event of a
/// sender that can become ready is its next one, and when that one is blocked by member <c>j</c> the sender is
/// linked into <c>j</c>'s waiter list. Each delivery re-checks only the deliverer's successor and its waiters, so
/// delivery costs O(clock length) and allocates nothing beyond amortised table growth.
/// </para>
/// <para>
/// Roster growth: a <c>JOIN</c> from an actor that is not yet a member claims the index after the last entry
/// of its clock (its own entry, which must be 1). It is ready when that index is the next free one; its
/// delivery appends the actor to <see cref="Roster"/>. Events a newcomer sends before its <c>JOIN</c> is
/// delivered wait for it. Because delivery depends only on arrival order, every node reading the same log
/// derives the same roster.
/// </para>
/// <para>
/// Not thread-safe: one buffer per topic and node, driven by one reader. The sink runs synchronously inside
/// <see cref="Offer"/> and must not call back into the buffer. If the sink throws, the exception propagates;
/// the event counts as delivered and the remaining releases happen on the next <see cref="Offer"/>.
/// </para>
/// </remarks>
public sealed partial class CausalBuffer
{
    private readonly Action<AgentEvent> _sink;
    private readonly CausalBufferOptions _options;
    private readonly int _window;
    private readonly EventIdIndex _ids = new();
    private readonly List<Held> _strangers = [];
    private readonly Dictionary<string, int> _strangersPerActor = new(StringComparer.Ordinal);
    private readonly List<UndeliverableEvent> _givenUp = [];
    private Roster _roster;

    // Per roster index (slot). Sized to the longest clock seen, not only to the roster.
    private ulong[] _delivered = [];
    private Dictionary<ulong, Held>?[] _pending = [];
    private Recent[]?[] _recent = [];
    private int[] _blockedOn = [];
    private ulong[] _need = [];
    private Held[] _head = [];
    private int[] _resumeAt = [];
    private int[] _nextWaiter = [];
    private int[] _firstWaiter = [];
    private int[] _heldPerSlot = [];
    private ulong[] _refusedEntry = [];           // per slot: the lowest own entry this buffer refused (0: none)
    private string?[] _refusedWhy = [];
    private bool _anyRefused;
    private bool[] _queued = [];
    private int[] _work = [];
    private int _workCount;
    private int _slots;
    private int _held;
    private int _deliveredThisOffer;
    private bool _delivering;

    /// <summary>Creates a buffer that hands ready events to <paramref name="sink"/>.</summary>
    /// <param name="roster">The members known up front; <see cref="Roster.Empty"/> when <c>JOIN</c>s define them.</param>
    /// <param name="sink">Receives each event once, in causal order.</param>
    /// <param name="options">Options; null means <see cref="CausalBufferOptions.Default"/>.</param>
    public CausalBuffer(Roster roster, Action<AgentEvent> sink, CausalBufferOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(roster);
        ArgumentNullException.ThrowIfNull(sink);
        _options = options ?? CausalBufferOptions.Default;
        _options.Validate();
        if (roster.Count > _options.MaxMembers)
        {
            throw new ArgumentException($"The roster has {roster.Count} members; MaxMembers is {_options.MaxMembers}.", nameof(roster));
        }
        _roster = roster;
        _sink = sink;
        // A power of two, so the ring slot of an entry is a mask rather than a 64-bit division.
        _window = (int)BitOperations.RoundUpToPowerOf2((uint)_options.DuplicateWindow);
        EnsureSlots(roster.Count);
    }

    /// <summary>The roster, including members whose <c>JOIN</c> was delivered.</summary>
    public Roster Roster => _roster;

    /// <summary>How many events are held waiting for predecessors.</summary>
    public int HeldCount => _held;

    /// <summary>How many events were delivered.</summary>
    public long DeliveredCount { get; private set; }

    /// <summary>How many duplicates were dropped.</summary>
    public long DuplicateCount { get; private set; }

    /// <summary>How many events were rejected, for any reason.</summary>
    public long RejectedCount { get; private set; }

    /// <summary>How many of the rejected events were conflicts.</summary>
    public long ConflictCount { get; private set; }

    /// <summary>How many of the rejected events were refused because the buffer was full.</summary>
    public long OverflowCount { get; private set; }

    /// <summary>
    /// Counts everything up to <paramref name="delivered"/> as delivered already, on a buffer that has delivered nothing:
    /// resuming a topic from a checkpoint (its members' entries at that point) instead of from its start.
    /// </summary>
    /// <exception cref="InvalidOperationException">The buffer has taken events already.</exception>
    public void StartAfter(VectorClock delivered)
    {
        if (DeliveredCount != 0 || _held != 0)
        {
            throw new InvalidOperationException("A causal buffer starts after a checkpoint only before it takes any event.");
        }
        if (delivered.Length > _options.MaxMembers)
        {
            throw new ArgumentException($"The clock has {delivered.Length} entries; MaxMembers is {_options.MaxMembers}.", nameof(delivered));
        }
        EnsureSlots(Math.Max(_slots, delivered.Length));
        delivered.Entries.CopyTo(_delivered);
    }

    /// <summary>The highest own entry of member <paramref name="index"/> that the buffer has seen: delivered or held.</summary>
    public ulong LastEntryOf(int index)
    {
        if (index < 0 || index >= _slots)
        {
            return 0;
        }
        var last = _delivered[index];
        if (_pending[index] is { Count: > 0 } pending)
        {
            foreach (var seq in pending.Keys)
            {
                last = Math.Max(last, seq);
            }
        }
        return last;
    }

    /// <summary>The clock of everything delivered so far: entry <c>i</c> counts member <c>i</c>'s delivered events.</summary>
    public VectorClock DeliveredClock => VectorClock.FromEntries(_delivered.AsSpan(0, _slots));

    /// <summary>Offers an arriving event: delivers it and everything it unblocks, holds it, or drops it.</summary>
    /// <exception cref="InvalidOperationException">Called from the sink while a delivery is in progress.</exception>
    public OfferResult Offer(AgentEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        if (_delivering)
        {
            throw new InvalidOperationException("CausalBuffer.Offer was called from its own sink; hand events over after the delivery returns.");
        }
        _deliveredThisOffer = 0;
        // Finish a cascade that a throwing sink interrupted before taking the new event.
        Pump();
        var result = Admit(@event);
        Pump();
        return result with { Delivered = _deliveredThisOffer };
    }

    /// <param name="e">The event.</param>
    /// <param name="released">
    /// True for a newcomer's early event released by its JOIN: it is already counted as held, and is queued rather
    /// than delivered at once, so the sink sees the JOIN first.
    /// </param>
    private OfferResult Admit(AgentEvent e, bool released = false)
    {
        if (_options.Topic is { } topic && e.Topic is { } other && !string.Equals(topic, other, StringComparison.Ordinal))
        {
            return Reject(RejectionKind.WrongTopic, $"the event belongs to topic '{other}', not '{topic}'");
        }
        var hash = EventIdIndex.Hash(e.EventId);
        if (_ids.Find(e.EventId, hash) is { } known)
        {
            return known.Equals(e)
                ? Duplicate($"event_id '{e.EventId}' was already received")
                : Reject(RejectionKind.Conflict, $"event_id '{e.EventId}' is already used by a different event from '{known.Actor}' with clock {known.Clock}");
        }
        var clock = e.Clock;
        if (clock.Length > _options.MaxMembers)
        {
            return Reject(RejectionKind.ClockTooLong, $"the clock has {clock.Length} entries; at most {_options.MaxMembers} members are allowed");
        }
        if (clock.Length > _roster.Count && clock[clock.Length - 1] == 0)
        {
            // Refused rather than trimmed: the bytes are what was signed and what duplicates are compared by, and the
            // sender learns its clock is wrong instead of every later clock carrying its zeros.
            return Reject(RejectionKind.NotCanonical, $"the clock {Describe(clock)} has {clock.Length} entries, more than the roster's {_roster.Count}, and ends in 0; drop trailing zeros");
        }
        var s = _roster.IndexOf(e.Actor);
        if (s < 0)
        {
            if (!_options.RosterGrowsByJoin)
            {
                return Reject(RejectionKind.NotAMember, $"'{e.Actor}' is not a member of the fixed roster {_roster}");
            }
            if (!string.Equals(e.Action, Actions.Join, StringComparison.Ordinal))
            {
                return HoldStranger(e, hash);
            }
            s = clock.Length - 1;
            if (s < 0 || clock[s] != 1)
            {
                return Reject(RejectionKind.OwnEntryZero, $"a JOIN by newcomer '{e.Actor}' must end its clock with its own entry, 1; got {clock}");
            }
            if (s < _roster.Count)
            {
                return Reject(RejectionKind.RosterSlotTaken, $"the JOIN by '{e.Actor}' claims roster index {s}, which '{_roster[s]}' already holds");
            }
        }
        else if (!_options.RosterGrowsByJoin && clock.Length > _roster.Count)
        {
            return Reject(RejectionKind.ClockTooLong, $"the clock has {clock.Length} entries but the roster has {_roster.Count} members");
        }
        EnsureSlots(Math.Max(clock.Length, s + 1));
        var seq = clock[s];
        if (seq == 0)
        {
            return Reject(RejectionKind.OwnEntryZero, $"'{e.Actor}' owns entry {s}, which is 0; a sender's own entry counts its events and starts at 1");
        }
        var delivered = _delivered[s];
        if (seq <= delivered)
        {
            return SeenBefore(e, s, seq, delivered);
        }
        var pending = _pending[s];
        if (pending is { Count: > 0 } && pending.TryGetValue(seq, out var held))
        {
            // Same content would have been caught by event_id above, so this is a second event claiming the entry.
            return Reject(RejectionKind.Conflict, $"'{e.Actor}' entry {seq} is already claimed by event '{held.Event.EventId}'");
        }
        if (seq == delivered + 1)
        {
            var blocker = FindBlocker(e, s, 0, out var need);
            if (blocker < 0 && released)
            {
                Hold(s, seq, e, hash);
                Enqueue(s);
                return new OfferResult(OfferOutcome.Buffered, 0, RejectionKind.None, null);
            }
            if (blocker < 0)
            {
                Deliver(e, s, hash, wasHeld: false);
                return new OfferResult(OfferOutcome.Delivered, 0, RejectionKind.None, null);
            }
            // Only an event about to be held is checked for gaps and refused causes: a ready one has neither, so the
            // common path (an honest log's events arrive ready) pays nothing for the bounds.
            if (CheckReachable(e, s, seq) is { } unreachable)
            {
                return unreachable;
            }
            if (!released && RefuseHolding(e, s, seq) is { } refused)
            {
                return refused;
            }
            Link(s, blocker, need, Hold(s, seq, e, hash));
            return new OfferResult(OfferOutcome.Buffered, 0, RejectionKind.None, null);
        }
        if (CheckReachable(e, s, seq) is { } beyond)
        {
            return beyond;
        }
        if (!released && RefuseHolding(e, s, seq) is { } refusal)
        {
            return refusal;
        }
        Hold(s, seq, e, hash);
        return new OfferResult(OfferOutcome.Buffered, 0, RejectionKind.None, null);
    }

    /// <summary>
    /// The index whose delivered count is too low for <paramref name="e"/>, or -1 when it is ready; entries
    /// before <paramref name="from"/> are known to be satisfied (delivered counts only grow).
    /// </summary>
    private int FindBlocker(AgentEvent e, int s, int from, out ulong need)
    {
        var clock = e.Clock.Entries;
        var delivered = _delivered;
        for (var j = from; j < clock.Length; j++)
        {
            if (clock[j] > delivered[j] && j != s)
            {
                need = clock[j];
                return j;
            }
        }
        // A newcomer's JOIN takes the next free index only; until the JOINs before it are delivered it waits.
        var count = _roster.Count;
        need = 1;
        return s > count ? count : -1;
    }

    private void Deliver(AgentEvent e, int s, int hash, bool wasHeld)
    {
        var seq = e.Clock[s];
        Debug.Assert(seq == _delivered[s] + 1, "only the sender's next event is delivered");
        _delivered[s] = seq;
        var ring = _recent[s] ??= new Recent[Math.Min(InitialRing, _window)];
        if (ring.Length < _window && ring[(int)(seq & (ulong)(ring.Length - 1))].Event is not null)
        {
            // Full of live entries: grow instead of forgetting one, so a quiet sender costs a small ring and a busy
            // one gets the whole duplicate window.
            ring = _recent[s] = Grow(ring, s);
        }
        ref var slot = ref ring[(int)(seq & (ulong)(ring.Length - 1))];
        if (slot.Event is { } evicted)
        {
            // By stored hash and reference: the evicted event and its id are long out of cache.
            _ids.Remove(evicted, slot.Hash);
        }
        slot = new Recent(e, hash);
        if (!wasHeld)
        {
            _ids.Add(e, hash);
        }
        DeliveredCount++;
        _deliveredThisOffer++;
        if (s == _roster.Count && !_roster.Contains(e.Actor))
        {
            _roster = _roster.Add(e.Actor);
            ReleaseStrangers(e.Actor);
        }
        Enqueue(s);
        ReleaseWaiters(s);
        // The sink runs last: if it throws, the buffer is consistent and the queued work resumes on the next Offer.
        _delivering = true;
        try
        {
            _sink(e);
        }
        finally
        {
            _delivering = false;
        }
    }

    private void Pump()
    {
        while (_workCount > 0)
        {
            var s = _work[--_workCount];
            _queued[s] = false;
            // A woken waiter resumes its scan at the index that blocked it; a new head is scanned from 0.
            var head = _head[s];
            var from = 0;
            if (head.Event is not null)
            {
                from = _resumeAt[s];
            }
            else if (!(_pending[s] is { Count: > 0 } pending && pending.TryGetValue(_delivered[s] + 1, out head)))
            {
                continue;
            }
            var blocker = FindBlocker(head.Event!, s, from, out var need);
            if (blocker >= 0)
            {
                Link(s, blocker, need, head);
                continue;
            }
            _head[s] = default;
            _pending[s]!.Remove(_delivered[s] + 1);
            _held--;
            _heldPerSlot[s]--;
            Deliver(head.Event!, s, head.Hash, wasHeld: true);
        }
    }

    private Held Hold(int s, ulong seq, AgentEvent e, int hash)
    {
        var pending = _pending[s] ??= [];
        var held = new Held(e, Now(), hash);
        pending.Add(seq, held);
        _ids.Add(e, hash);
        _held++;
        _heldPerSlot[s]++;
        return held;
    }

    private long Now() => _options.MaxWait is null ? 0 : _options.TimeProvider.GetTimestamp();

    private OfferResult Duplicate(string reason)
    {
        DuplicateCount++;
        return new OfferResult(OfferOutcome.Duplicate, 0, RejectionKind.None, reason);
    }

    private OfferResult Full()
    {
        OverflowCount++;
        return Reject(RejectionKind.Full, $"the buffer already holds its capacity of {_options.Capacity} events waiting for predecessors");
    }

    private OfferResult Reject(RejectionKind kind, string reason)
    {
        RejectedCount++;
        if (kind == RejectionKind.Conflict)
        {
            ConflictCount++;
        }
        return new OfferResult(OfferOutcome.Rejected, 0, kind, reason);
    }

    private void EnsureSlots(int count)
    {
        if (count <= _slots)
        {
            return;
        }
        if (count > _delivered.Length)
        {
            var size = Math.Max(count, Math.Max(4, _delivered.Length * 2));
            var old = _delivered.Length;
            Array.Resize(ref _delivered, size);
            Array.Resize(ref _pending, size);
            Array.Resize(ref _recent, size);
            Array.Resize(ref _blockedOn, size);
            Array.Resize(ref _need, size);
            Array.Resize(ref _head, size);
            Array.Resize(ref _resumeAt, size);
            Array.Resize(ref _nextWaiter, size);
            Array.Resize(ref _firstWaiter, size);
            Array.Resize(ref _queued, size);
            Array.Resize(ref _work, size);
            Array.Resize(ref _heldPerSlot, size);
            Array.Resize(ref _refusedEntry, size);
            Array.Resize(ref _refusedWhy, size);
            _blockedOn.AsSpan(old).Fill(-1);
            _nextWaiter.AsSpan(old).Fill(-1);
            _firstWaiter.AsSpan(old).Fill(-1);
        }
        _slots = count;
    }

    private readonly record struct Held(AgentEvent Event, long ArrivedAt, int Hash);
}
