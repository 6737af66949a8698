using System.Runtime.CompilerServices;

namespace Murmur.AI.Tests.Support;

/// <summary>
/// An in-memory log that, for appends to one topic chosen by <see cref="LoseAcksOn"/>, stores the record and then
/// throws as if the acknowledgement had been lost — the ambiguous failure that makes callers retry.
/// </summary>
internal sealed class AckLossLog(InMemoryEventLog inner) : IEventLog
{
    private int _toLose;
    private string? _topic;

    public string Name => "ack-loss";

    public int MaxRecordBytes => inner.MaxRecordBytes;

    public int Lost { get; private set; }

    /// <summary>The next <paramref name="count"/> appends to <paramref name="topic"/> are stored but reported as failed.</summary>
    public void LoseAcksOn(string topic, int count)
    {
        _topic = topic;
        Volatile.Write(ref _toLose, count);
    }

    public async ValueTask<long> AppendAsync(string topic, LogRecord record, CancellationToken cancellationToken = default)
    {
        var position = await inner.AppendAsync(topic, record, cancellationToken);
        if (string.Equals(topic, _topic, StringComparison.Ordinal) && Interlocked.Decrement(ref _toLose) >= 0)
        {
            Lost++;
            throw new EventLogException($"test: the acknowledgement of position {position} in '{topic}' was lost");
        }
        return position;
    }

    public async ValueTask<IReadOnlyList<long>> AppendBatchAsync(string topic, IReadOnlyList<LogRecord> records, CancellationToken cancellationToken = default)
    {
        var positions = new List<long>(records.Count);
        foreach (var record in records)
        {
            positions.Add(await AppendAsync(topic, record, cancellationToken));
        }
        return positions;
    }

    public async IAsyncEnumerable<LogEntry> ReadAsync(string topic, long fromPosition = 1, bool follow = false, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var entry in inner.ReadAsync(topic, fromPosition, follow, cancellationToken))
        {
            yield return entry;
        }
    }

    public ValueTask<long> GetEndPositionAsync(string topic, CancellationToken cancellationToken = default) => inner.GetEndPositionAsync(topic, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
