using System.Runtime.CompilerServices;

namespace Murmur.AI.Tests.Support;

/// <summary>An in-memory log with one seam: subclasses decide what an append does; everything else goes to the inner log.</summary>
internal abstract class ForwardingLog(InMemoryEventLog inner) : IEventLog
{
    protected InMemoryEventLog Inner { get; } = inner;

    public abstract string Name { get; }

    public int MaxRecordBytes => Inner.MaxRecordBytes;

    public abstract ValueTask<long> AppendAsync(string topic, LogRecord record, CancellationToken cancellationToken = default);

    /// <summary>One append after the other, each through <see cref="AppendAsync"/>.</summary>
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
        await foreach (var entry in Inner.ReadAsync(topic, fromPosition, follow, cancellationToken))
        {
            yield return entry;
        }
    }

    public ValueTask<long> GetEndPositionAsync(string topic, CancellationToken cancellationToken = default) => Inner.GetEndPositionAsync(topic, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
