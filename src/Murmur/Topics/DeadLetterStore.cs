namespace Murmur.Topics;

/// <summary>The node's bounded list of refused events (the oldest are forgotten past the capacity, but counted).</summary>
/// <remarks>Thread-safe.</remarks>
public sealed class DeadLetterStore
{
    private readonly Queue<DeadLetterEvent> _items = new();
    private readonly int _capacity;
    private long _total;

    internal DeadLetterStore(int capacity) => _capacity = capacity;

    /// <summary>How many events were refused since the node started.</summary>
    public long Count => Interlocked.Read(ref _total);

    /// <summary>The most recent refused events, oldest first.</summary>
    public IReadOnlyList<DeadLetterEvent> Items
    {
        get
        {
            lock (_items)
            {
                return [.. _items];
            }
        }
    }

    internal void Add(DeadLetterEvent item)
    {
        Interlocked.Increment(ref _total);
        lock (_items)
        {
            _items.Enqueue(item);
            while (_items.Count > _capacity)
            {
                _items.Dequeue();
            }
        }
    }

    internal static string ExcerptOf(ReadOnlySpan<byte> data)
    {
        var text = System.Text.Encoding.UTF8.GetString(data[..Math.Min(data.Length, 512)]);
        return text.Length > 256 ? text[..256] : text;
    }
}
