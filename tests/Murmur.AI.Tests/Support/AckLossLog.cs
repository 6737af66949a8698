using Murmur.Logs;

namespace Murmur.AI.Tests.Support;

/// <summary>
/// An in-memory log that, for appends to one topic chosen by <see cref="LoseAcksOn"/>, stores the record and then
/// throws as if the acknowledgement had been lost — the ambiguous failure that makes callers retry.
/// </summary>
internal sealed class AckLossLog(InMemoryEventLog inner) : DelegatingEventLog(inner)
{
    private int _toLose;
    private string? _topic;

    public override string Name => "ack-loss";

    public int Lost { get; private set; }

    /// <summary>The next <paramref name="count"/> appends to <paramref name="topic"/> are stored but reported as failed.</summary>
    public void LoseAcksOn(string topic, int count)
    {
        _topic = topic;
        Volatile.Write(ref _toLose, count);
    }

    public override async ValueTask<long> AppendAsync(string topic, LogRecord record, CancellationToken cancellationToken = default)
    {
        var position = await InnerLog.AppendAsync(topic, record, cancellationToken);
        if (string.Equals(topic, _topic, StringComparison.Ordinal) && Interlocked.Decrement(ref _toLose) >= 0)
        {
            Lost++;
            throw new EventLogException($"test: the acknowledgement of position {position} in '{topic}' was lost");
        }
        return position;
    }
}
