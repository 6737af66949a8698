using System.Collections.Concurrent;

namespace Murmur.Kafka;

/// <summary>
/// The appends this process made recently, by (topic, event id): an append of the same id returns the original
/// position, and concurrent appends of one id share one produce. Bounded: the oldest are forgotten first.
/// </summary>
internal sealed class RecentEventIds(int capacity)
{
    private readonly ConcurrentDictionary<(string Topic, string EventId), Task<long>> _appends = new();
    private readonly ConcurrentQueue<(string Topic, string EventId)> _order = new();

    public int Count => _appends.Count;

    /// <summary>Registers <paramref name="pending"/> for the id, or returns the append already registered.</summary>
    public Task<long>? TryRegister(string topic, string eventId, Task<long> pending)
    {
        if (capacity == 0)
        {
            return null;
        }
        var key = (topic, eventId);
        var existing = _appends.GetOrAdd(key, pending);
        if (!ReferenceEquals(existing, pending))
        {
            return existing;
        }
        _order.Enqueue(key);
        while (_appends.Count > capacity && _order.TryDequeue(out var oldest))
        {
            _appends.TryRemove(oldest, out _);
        }
        return null;
    }

    /// <summary>Forgets a failed append so that a retry produces again.</summary>
    public void Forget(string topic, string eventId, Task<long> pending)
        => _appends.TryRemove(new KeyValuePair<(string, string), Task<long>>((topic, eventId), pending));
}

/// <summary>The event ids a reader yielded recently; a second copy of one (from an application retry) is dropped.</summary>
internal sealed class SeenEventIds(int capacity)
{
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    /// <summary>True when <paramref name="eventId"/> was not seen (and is now remembered).</summary>
    public bool Add(string eventId)
    {
        if (eventId.Length == 0 || capacity == 0)
        {
            return true;
        }
        if (!_ids.Add(eventId))
        {
            return false;
        }
        _order.Enqueue(eventId);
        if (_order.Count > capacity)
        {
            _ids.Remove(_order.Dequeue());
        }
        return true;
    }
}
