using System.Diagnostics;
using Murmur.Events;

namespace Murmur.Causality;

/// <summary>
/// The events a <see cref="CausalBuffer"/> remembers, by <c>event_id</c>. Unlike a dictionary it is given each
/// key's hash by the caller and removes by reference, so forgetting an old event never reads its (long evicted
/// from cache) id string; only a lookup whose hash matches compares strings.
/// </summary>
/// <remarks>Chained hashing over flat arrays, as <c>Dictionary</c> does; not thread-safe.</remarks>
internal sealed class EventIdIndex
{
    private int[] _buckets = new int[16]; // 1-based entry index, 0 = empty
    private Entry[] _entries = new Entry[16];
    private int _used;
    private int _free = -1;

    /// <summary>How many events are indexed.</summary>
    public int Count { get; private set; }

    /// <summary>The hash to pass to the other members (string hashing is randomised per process).</summary>
    public static int Hash(string id) => id.GetHashCode(StringComparison.Ordinal);

    /// <summary>The indexed event with this id, or null.</summary>
    public AgentEvent? Find(string id, int hash)
    {
        for (var i = _buckets[Bucket(hash, _buckets.Length)] - 1; i >= 0; i = _entries[i].Next)
        {
            ref var entry = ref _entries[i];
            if (entry.Hash == hash && string.Equals(entry.Event!.EventId, id, StringComparison.Ordinal))
            {
                return entry.Event;
            }
        }
        return null;
    }

    /// <summary>Indexes an event whose id is not indexed yet.</summary>
    public void Add(AgentEvent e, int hash)
    {
        int index;
        if (_free >= 0)
        {
            index = _free;
            _free = _entries[index].Next;
        }
        else
        {
            if (_used == _entries.Length)
            {
                Grow();
            }
            index = _used++;
        }
        var bucket = Bucket(hash, _buckets.Length);
        _entries[index] = new Entry { Hash = hash, Next = _buckets[bucket] - 1, Event = e };
        _buckets[bucket] = index + 1;
        Count++;
    }

    /// <summary>Forgets this very event (compared by reference); false when it is not indexed.</summary>
    public bool Remove(AgentEvent e, int hash)
    {
        var bucket = Bucket(hash, _buckets.Length);
        var previous = -1;
        for (var i = _buckets[bucket] - 1; i >= 0; previous = i, i = _entries[i].Next)
        {
            ref var entry = ref _entries[i];
            if (!ReferenceEquals(entry.Event, e))
            {
                continue;
            }
            if (previous < 0)
            {
                _buckets[bucket] = entry.Next + 1;
            }
            else
            {
                _entries[previous].Next = entry.Next;
            }
            entry = new Entry { Next = _free };
            _free = i;
            Count--;
            return true;
        }
        return false;
    }

    private void Grow()
    {
        Debug.Assert(_free < 0, "only full tables grow");
        var size = _entries.Length * 2;
        Array.Resize(ref _entries, size);
        _buckets = new int[size];
        // Rehash from the stored hashes: no id string is read.
        for (var i = 0; i < _used; i++)
        {
            var bucket = Bucket(_entries[i].Hash, size);
            _entries[i].Next = _buckets[bucket] - 1;
            _buckets[bucket] = i + 1;
        }
    }

    private static int Bucket(int hash, int length) => (int)((uint)hash & (uint)(length - 1));

    private struct Entry
    {
        public int Hash;
        public int Next;
        public AgentEvent? Event;
    }
}
