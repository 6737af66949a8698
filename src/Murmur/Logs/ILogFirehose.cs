namespace Murmur.Logs;

/// <summary>
/// Every record appended to any topic of a log after the firehose was opened, each with its topic: what lets a node
/// follow all of its topics through one server-side consumer instead of one per topic. A node opens one
/// (<see cref="IEventLog.OpenFirehoseAsync"/>), demultiplexes it to its topics, and reads what a topic held before
/// it started following it with <see cref="IEventLog.ReadAsync"/>.
/// </summary>
/// <remarks>
/// Contract, checked by the conformance suite in <c>Murmur.Testing</c>:
/// <list type="bullet">
/// <item>Every record appended after <see cref="IEventLog.OpenFirehoseAsync"/> returned is yielded, at least once;
/// records appended before may or may not be.</item>
/// <item>The records of one topic are yielded in position order, with the positions <see cref="IEventLog.ReadAsync"/> gives them.</item>
/// <item>A transport failure the firehose cannot recover from by itself (resuming after the last record it yielded)
/// ends the enumeration with an <see cref="EventLogException"/>; the node then opens a new firehose and reads each
/// topic's gap with <see cref="IEventLog.ReadAsync"/>.</item>
/// </list>
/// The firehose yields every topic's records, including topics the node does not follow: on a transport where that is
/// too much traffic, split the topics over several logs (streams).
/// </remarks>
public interface ILogFirehose : IAsyncDisposable
{
    /// <summary>The records, as they are appended; enumerate once.</summary>
    IAsyncEnumerable<TopicEntry> ReadAsync(CancellationToken cancellationToken = default);
}

/// <summary>A record read from a log's firehose, with the topic it belongs to.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Entry">The record.</param>
public readonly record struct TopicEntry(string Topic, LogEntry Entry);
