using Murmur.Events;

namespace Murmur.Topics;

/// <summary>
/// The events a topic delivered on this node, in delivery order (a causal order), by absolute index: index 0 is the
/// first event the node ever delivered in the topic. Only a window of the most recent events is retained (see
/// <see cref="Trim"/>); what is older stays in the log.
/// </summary>
/// <remarks>Guarded by the topic's gate. Every prefix of a causal delivery order is causally closed, which is what
/// lets a member's clock be computed from its position alone (<see cref="TopicHost.ClockAt"/>).</remarks>
internal sealed class DeliveredHistory
{
    private AgentEvent[] _ring = [];
    private long[] _positions = [];  // the log position each event was read from or appended at
    private int _start;       // ring slot of index _first
    private int _count;       // retained events
    private long _first;      // absolute index of the oldest retained event
    private long _bytes;      // approximate payload bytes retained

    /// <summary>How many events were delivered, in all (retained or not).</summary>
    public long Count => _first + _count;

    /// <summary>The absolute index of the oldest retained event.</summary>
    public long First => _first;

    /// <summary>How many events are retained.</summary>
    public int Retained => _count;

    /// <summary>The approximate size of the retained events (payloads, ids, clocks).</summary>
    public long RetainedBytes => _bytes;

    /// <summary>Appends a delivered event and the log position it has.</summary>
    public void Add(AgentEvent e, long position)
    {
        if (_count == _ring.Length)
        {
            Grow();
        }
        _positions[(_start + _count) % _ring.Length] = position;
        _ring[(_start + _count) % _ring.Length] = e;
        _count++;
        _bytes += SizeOf(e);
    }

    /// <summary>The event at absolute <paramref name="index"/>, which must be retained.</summary>
    public AgentEvent this[long index] => _ring[Slot(index)];

    /// <summary>The log position of the retained event at absolute <paramref name="index"/>.</summary>
    public long PositionAt(long index) => _positions[Slot(index)];

    /// <summary>Starts the history after <paramref name="count"/> events that are not retained (a node that rebuilt from a checkpoint).</summary>
    public void StartAt(long count)
    {
        System.Diagnostics.Debug.Assert(Count == 0, "only an empty history starts elsewhere");
        _first = count;
    }

    /// <summary>The retained events in [<paramref name="from"/>, <paramref name="to"/>); <paramref name="from"/> must be retained.</summary>
    public List<AgentEvent> Range(long from, long to)
    {
        var list = new List<AgentEvent>((int)(to - from));
        for (var i = from; i < to; i++)
        {
            list.Add(this[i]);
        }
        return list;
    }

    /// <summary>Every retained event, oldest first.</summary>
    public List<AgentEvent> ToList() => Range(_first, Count);

    /// <summary>The last retained event that matches, searching from the newest; null when none does.</summary>
    public AgentEvent? FindLast(Func<AgentEvent, bool> predicate)
    {
        for (var i = Count - 1; i >= _first; i--)
        {
            if (predicate(this[i]))
            {
                return this[i];
            }
        }
        return null;
    }

    /// <summary>The first retained event that matches; null when none does.</summary>
    public AgentEvent? Find(Func<AgentEvent, bool> predicate)
    {
        for (var i = _first; i < Count; i++)
        {
            if (predicate(this[i]))
            {
                return this[i];
            }
        }
        return null;
    }

    /// <summary>Forgets retained events older than <paramref name="keepFrom"/> (absolute); returns how many.</summary>
    public int Trim(long keepFrom)
    {
        var drop = (int)Math.Clamp(keepFrom - _first, 0, _count);
        for (var i = 0; i < drop; i++)
        {
            ref var slot = ref _ring[_start];
            _bytes -= SizeOf(slot);
            slot = null!;
            _start = _start + 1 == _ring.Length ? 0 : _start + 1;
        }
        _count -= drop;
        _first += drop;
        if (_count == 0)
        {
            _start = 0;
        }
        if (_ring.Length > 64 && _count < _ring.Length / 4)
        {
            Resize(Math.Max(64, _ring.Length / 2));
        }
        return drop;
    }

    /// <summary>A rough retained size of an event: its payload, id and clock, plus the objects around them.</summary>
    public static long SizeOf(AgentEvent e) => 160 + e.Payload.Length + (2L * e.EventId.Length) + (8L * e.Clock.Length);

    private int Slot(long index)
    {
        System.Diagnostics.Debug.Assert(index >= _first && index < Count, "only retained events are read");
        return (int)((_start + (index - _first)) % _ring.Length);
    }

    private void Grow() => Resize(_ring.Length == 0 ? 4 : _ring.Length * 2);

    private void Resize(int size)
    {
        var ring = new AgentEvent[size];
        var positions = new long[size];
        for (var i = 0; i < _count; i++)
        {
            ring[i] = _ring[(_start + i) % _ring.Length];
            positions[i] = _positions[(_start + i) % _ring.Length];
        }
        _ring = ring;
        _positions = positions;
        _start = 0;
    }
}
