namespace Murmur.Logs;

/// <summary>A record is larger than the log accepts.</summary>
public sealed class RecordTooLargeException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public RecordTooLargeException(string eventId, int size, int limit)
        : base($"Event '{eventId}' is {size} bytes; the log accepts at most {limit} bytes per event.", "record")
    {
        Size = size;
        Limit = limit;
    }

    /// <summary>The record's size in bytes.</summary>
    public int Size { get; }

    /// <summary>The log's limit in bytes.</summary>
    public int Limit { get; }
}
