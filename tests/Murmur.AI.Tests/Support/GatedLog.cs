using System.Runtime.CompilerServices;
using System.Text;

namespace Murmur.AI.Tests.Support;

/// <summary>
/// An in-memory log that holds appends of records containing a chosen marker (e.g. <c>"TOOL_CALL"</c>) until the
/// test opens the gate, and tells the test when such an append has arrived.
/// </summary>
internal sealed class GatedLog(InMemoryEventLog inner, string marker) : IEventLog
{
    private readonly byte[] _marker = Encoding.UTF8.GetBytes(marker);
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first gated append arrives.</summary>
    public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => "gated";

    public int MaxRecordBytes => inner.MaxRecordBytes;

    /// <summary>Lets every held and later append through.</summary>
    public void Open() => _open.TrySetResult();

    public async ValueTask<long> AppendAsync(string topic, LogRecord record, CancellationToken cancellationToken = default)
    {
        if (record.Data.Span.IndexOf(_marker) >= 0)
        {
            Held.TrySetResult();
            await _open.Task.WaitAsync(cancellationToken);
        }
        return await inner.AppendAsync(topic, record, cancellationToken);
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
