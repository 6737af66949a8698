namespace Murmur.Logs;

/// <summary>
/// The shared, replayable event log: the only I/O between nodes. Each topic is an append-only sequence of
/// records with totally ordered positions. Implementations: <see cref="InMemoryEventLog"/> (the default),
/// NATS JetStream (<c>Murmur.Nats</c>) and Kafka (<c>Murmur.Kafka</c>).
/// </summary>
/// <remarks>
/// Contract, checked for every implementation by the conformance suite in <c>Murmur.Testing</c>:
/// <list type="bullet">
/// <item>Positions are per topic, start at 1 and strictly increase in append order (they may skip numbers).</item>
/// <item>Appending a record whose <see cref="LogRecord.EventId"/> is already in the topic does not add it again
/// and returns the original position (within the transport's de-duplication window).</item>
/// <item>A record larger than the log's <see cref="MaxRecordBytes"/> or a malformed topic name is refused
/// with an exception that names the problem; nothing is appended.</item>
/// <item>A failed append throws to the caller; it is never swallowed.</item>
/// <item>Thread-safe: any number of appenders and readers at once.</item>
/// </list>
/// </remarks>
public interface IEventLog : IAsyncDisposable
{
    /// <summary>A short name for messages and metrics, e.g. <c>memory</c> or <c>nats</c>.</summary>
    string Name { get; }

    /// <summary>The largest record accepted, in bytes.</summary>
    int MaxRecordBytes { get; }

    /// <summary>Appends one record; returns its position (the original one for a duplicate event id).</summary>
    /// <exception cref="InvalidTopicNameException">The topic name breaks the rules of <see cref="TopicName"/>.</exception>
    /// <exception cref="RecordTooLargeException">The record exceeds <see cref="MaxRecordBytes"/>.</exception>
    /// <exception cref="EventLogException">The transport failed; the record may or may not be stored (retry with the same event id).</exception>
    ValueTask<long> AppendAsync(string topic, LogRecord record, CancellationToken cancellationToken = default);

    /// <summary>Appends records in order; returns their positions. Validates every record before appending any.</summary>
    ValueTask<IReadOnlyList<long>> AppendBatchAsync(string topic, IReadOnlyList<LogRecord> records, CancellationToken cancellationToken = default);

    /// <summary>Reads a topic from <paramref name="fromPosition"/> (1 = the start); with <paramref name="follow"/>, keeps waiting for new records until cancelled.</summary>
    IAsyncEnumerable<LogEntry> ReadAsync(string topic, long fromPosition = 1, bool follow = false, CancellationToken cancellationToken = default);

    /// <summary>The position of the last record of the topic; 0 when it is empty.</summary>
    ValueTask<long> GetEndPositionAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens a firehose of every topic (see <see cref="ILogFirehose"/>), so a node follows all its topics through one
    /// consumer; null when the log has none, and the node then follows each topic with <see cref="ReadAsync"/>.
    /// </summary>
    /// <exception cref="EventLogException">The transport failed.</exception>
    ValueTask<ILogFirehose?> OpenFirehoseAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<ILogFirehose?>(null);

    /// <summary>
    /// Deletes every record of a topic, for finished work nobody needs any more. Returns false when the log cannot delete
    /// one topic's records (e.g. Kafka, where topics share partitions: its retention removes them).
    /// </summary>
    /// <exception cref="InvalidTopicNameException">The topic name breaks the rules of <see cref="TopicName"/>.</exception>
    /// <exception cref="EventLogException">The transport failed.</exception>
    ValueTask<bool> DeleteTopicAsync(string topic, CancellationToken cancellationToken = default) => ValueTask.FromResult(false);

    /// <summary>
    /// Opens the store where the nodes of a fleet announce themselves and beat (<see cref="Fleet.IMembershipStore"/>): one
    /// record kept per node. Null when the log has none, and <see cref="Fleet.MurmurFleet"/> cannot run on it.
    /// </summary>
    /// <exception cref="EventLogException">The transport failed.</exception>
    ValueTask<Fleet.IMembershipStore?> OpenMembershipStoreAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<Fleet.IMembershipStore?>(null);
}
