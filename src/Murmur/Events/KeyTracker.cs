using System.Text;

namespace Murmur.Events;

/// <summary>
/// Detects duplicate keys in nested JSON objects during one forward pass: a stack of frames, each owning a
/// contiguous run of (unescaped) key names. Small objects are scanned linearly; an object with many keys
/// switches to a hash set so hostile inputs stay linear.
/// </summary>
/// <remarks>Not thread-safe; <see cref="Rent"/> hands out a per-thread instance.</remarks>
internal sealed class KeyTracker
{
    private const int LinearLimit = 16;
    private const int KeepBytes = 64 * 1024;

    [ThreadStatic]
    private static KeyTracker? _cached;

    private byte[] _bytes = new byte[512];
    private int _bytesUsed;
    private Name[] _names = new Name[64];
    private int _nameCount;
    private Frame[] _frames = new Frame[16];
    private int _depth;

    public static KeyTracker Rent()
    {
        var tracker = _cached ?? new KeyTracker();
        _cached = null;
        return tracker;
    }

    public static void Return(KeyTracker tracker)
    {
        tracker._bytesUsed = 0;
        tracker._nameCount = 0;
        Array.Clear(tracker._frames, 0, tracker._depth);
        tracker._depth = 0;
        if (tracker._bytes.Length <= KeepBytes)
        {
            _cached = tracker;
        }
    }

    public void Push()
    {
        if (_depth == _frames.Length)
        {
            Array.Resize(ref _frames, _depth * 2);
        }
        _frames[_depth++] = new Frame(_nameCount, _bytesUsed, null);
    }

    public void Pop()
    {
        var frame = _frames[--_depth];
        _frames[_depth] = default;
        _nameCount = frame.FirstName;
        _bytesUsed = frame.FirstByte;
    }

    /// <summary>Adds a key to the innermost object; false when the object already holds it.</summary>
    public bool TryAdd(ReadOnlySpan<byte> name)
    {
        ref var frame = ref _frames[_depth - 1];
        if (frame.Set is not null)
        {
            return frame.Set.Add(Encoding.UTF8.GetString(name));
        }
        var hash = Fnv(name);
        for (var i = frame.FirstName; i < _nameCount; i++)
        {
            var n = _names[i];
            if (n.Hash == hash && _bytes.AsSpan(n.Start, n.Length).SequenceEqual(name))
            {
                return false;
            }
        }
        if (_nameCount - frame.FirstName >= LinearLimit)
        {
            // Switch this object to a set; its names stay in the arrays only so Pop can rewind them.
            var set = new HashSet<string>(StringComparer.Ordinal);
            for (var i = frame.FirstName; i < _nameCount; i++)
            {
                set.Add(Encoding.UTF8.GetString(_bytes, _names[i].Start, _names[i].Length));
            }
            set.Add(Encoding.UTF8.GetString(name));
            frame.Set = set;
            return true;
        }
        if (_bytesUsed + name.Length > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _bytesUsed + name.Length));
        }
        if (_nameCount == _names.Length)
        {
            Array.Resize(ref _names, _nameCount * 2);
        }
        name.CopyTo(_bytes.AsSpan(_bytesUsed));
        _names[_nameCount++] = new Name(_bytesUsed, name.Length, hash);
        _bytesUsed += name.Length;
        return true;
    }

    private static int Fnv(ReadOnlySpan<byte> name)
    {
        var h = 2166136261u;
        foreach (var b in name)
        {
            h = (h ^ b) * 16777619u;
        }
        return (int)h;
    }

    private readonly record struct Name(int Start, int Length, int Hash);

    private record struct Frame(int FirstName, int FirstByte, HashSet<string>? Set);
}
