using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Murmur.Logs;
using Murmur.Transport;

namespace Murmur.Kafka;

/// <summary>
/// The event log on Kafka: one Kafka topic holds every Murmur topic; a record's key is its Murmur topic's name and it
/// is produced to the partition <see cref="KafkaPartitioning.PartitionOf"/> computes, so a Murmur topic lives in one
/// partition and keeps its order. Positions are the Kafka offset + 1 (strictly increasing per Murmur topic, with gaps
/// where other topics share the partition).
/// </summary>
/// <remarks>
/// Appends use an idempotent producer with <c>acks=all</c>. Kafka's idempotence only removes the producer's own
/// retries; an application that appends the same event id again after an error may store a second copy. This log
/// returns the original position for an id this process appended recently (<see cref="KafkaEventLogOptions.RecentEventIds"/>)
/// without producing it again, and every read drops a repeated event id of its topic; Murmur's causal buffer drops
/// duplicates by event id too.
/// Thread-safe. Create with <see cref="ConnectAsync"/>; dispose to flush the producer and end followers.
/// </remarks>
public sealed partial class KafkaEventLog : IEventLog
{
    private readonly KafkaEventLogOptions _options;
    private readonly KafkaClients _clients;
    private readonly ILogger _logger;
    private readonly LogPipeline _reads;
    private readonly LogPipeline _consumes;
    private readonly IAdminClient _admin;
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly RecentEventIds _recent;
    private readonly CancellationTokenSource _disposed = new();
    private int _openConsumers;
    private long _consumersCreated;

    private KafkaEventLog(KafkaEventLogOptions options, KafkaClients clients, ILogger logger, IAdminClient admin, IProducer<byte[], byte[]> producer, int partitionCount)
    {
        _options = options;
        _clients = clients;
        _logger = logger;
        _admin = admin;
        _producer = producer;
        PartitionCount = partitionCount;
        _recent = new RecentEventIds(options.RecentEventIds);
        _reads = ReadPipeline(options, logger);
        _consumes = ConsumePipeline(options);
    }

    /// <inheritdoc/>
    public string Name => "kafka";

    /// <inheritdoc/>
    public int MaxRecordBytes => _options.MaxRecordBytes;

    /// <summary>The options in effect.</summary>
    public KafkaEventLogOptions Options => _options;

    /// <summary>The partition count of <see cref="KafkaEventLogOptions.KafkaTopic"/>, read when connecting.</summary>
    public int PartitionCount { get; }

    /// <summary>The Kafka partition that holds <paramref name="topic"/>.</summary>
    public TopicPartition PartitionOf(string topic)
        => new(_options.KafkaTopic, new Partition(KafkaPartitioning.PartitionOf(topic, PartitionCount)));

    /// <summary>Consumers this log holds open right now (each reader, each firehose, each end-of-topic query holds one while it runs).</summary>
    internal int OpenConsumers => Volatile.Read(ref _openConsumers);

    /// <summary>Consumers this log created since it was opened.</summary>
    internal long ConsumersCreated => Interlocked.Read(ref _consumersCreated);

    /// <summary>Connects, creates the Kafka topic when it is missing, and starts the producer.</summary>
    /// <exception cref="EventLogException">The brokers cannot be reached, refuse the credentials or the topic, or do not answer in time.</exception>
    public static async Task<KafkaEventLog> ConnectAsync(KafkaEventLogOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= KafkaEventLogOptions.Default;
        options.Validate();
        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Murmur.Kafka");
        var clients = new KafkaClients(options, logger);
        IAdminClient? admin = null;
        IProducer<byte[], byte[]>? producer = null;
        try
        {
            admin = clients.Admin();
            var partitions = await EnsureTopicAsync(admin, options, logger, cancellationToken).ConfigureAwait(false);
            producer = clients.Producer();
            return new KafkaEventLog(options, clients, logger, admin, producer, partitions);
        }
        catch (Exception ex)
        {
            producer?.Dispose();
            admin?.Dispose();
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            throw ex as EventLogException ?? KafkaErrors.ConnectFailed(ex, options);
        }
    }

    /// <summary>A log whose clients are built but never checked against the brokers (tests of the paths that need no broker).</summary>
    internal static KafkaEventLog CreateUnchecked(KafkaEventLogOptions options, int partitionCount)
    {
        options.Validate();
        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Murmur.Kafka");
        var clients = new KafkaClients(options, logger);
        return new KafkaEventLog(options, clients, logger, clients.Admin(), clients.Producer(), partitionCount);
    }

    /// <summary>
    /// Reads and queries: transient failures (a leader that moved, a broker restarting, no answer in time) are retried
    /// with backoff for up to the call's deadline; each attempt of a blocking librdkafka call is bounded by twice the
    /// request timeout (librdkafka's own timeout comes first; this only stops waiting for a call that hangs).
    /// </summary>
    private static LogPipeline ReadPipeline(KafkaEventLogOptions options, ILogger logger)
        => new(options.Resilience, KafkaErrors.IsTransient, options.RequestTimeout * 2,
            (ex, attempt, delay, _) => KafkaLogMessages.RequestRetrying(logger, options.KafkaTopic, KafkaErrors.Describe(ex, options), attempt, delay.TotalMilliseconds));

    /// <summary>Returns the topic's partition count; creates the topic first when it does not exist.</summary>
    private static async Task<int> EnsureTopicAsync(IAdminClient admin, KafkaEventLogOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        // One attempt to read the metadata: an unreachable cluster fails the connect within RequestTimeout, in one line.
        var once = new LogPipeline(options.Resilience, _ => false, options.RequestTimeout * 2);
        var existing = await once.ExecuteAsync(ct => PartitionCountAsync(admin, options, ct), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        if (existing > 0)
        {
            return existing;
        }
        var configs = new Dictionary<string, string>
        {
            ["max.message.bytes"] = KafkaConfigFactory.Format(KafkaConfigFactory.MessageMaxBytes(options)),
        };
        if (options.MinInSyncReplicas is { } isr)
        {
            configs["min.insync.replicas"] = KafkaConfigFactory.Format(isr);
        }
        var topic = new TopicSpecification { Name = options.KafkaTopic, NumPartitions = options.Partitions, ReplicationFactor = options.ReplicationFactor, Configs = configs };
        await once.ExecuteAsync(async ct =>
        {
            await KafkaTopicCreation.CreateAsync(admin, topic, options, "The event log's Kafka topic", $"{options.Partitions} partition(s)", ct).ConfigureAwait(false);
            return true;
        }, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        // A new topic's metadata reaches every broker a moment later.
        var appear = new LogPipeline(options.Resilience, ex => ex is PartitionsNotVisibleException || KafkaErrors.IsTransient(ex), options.RequestTimeout * 2,
            (_, attempt, _, _) => KafkaLogMessages.WaitingForPartitions(logger, options.KafkaTopic, attempt));
        try
        {
            return await appear.ExecuteAsync(async ct =>
                await PartitionCountAsync(admin, options, ct).ConfigureAwait(false) is > 0 and var count ? count : throw new PartitionsNotVisibleException(),
                options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (PartitionsNotVisibleException)
        {
            throw new EventLogException(
                $"Kafka topic '{options.KafkaTopic}' was created at {options.BootstrapServers} but its partitions did not appear within RequestTimeout {options.RequestTimeout.TotalSeconds:0.###} s.")
            { IsTransient = true };
        }
    }

    /// <summary>The topic's partition count from the brokers' metadata; 0 when it does not exist.</summary>
    private static async Task<int> PartitionCountAsync(IAdminClient admin, KafkaEventLogOptions options, CancellationToken cancellationToken)
    {
        // librdkafka's metadata call blocks until its timeout: keep it off the caller's thread.
        var metadata = await Task.Run(() => admin.GetMetadata(options.KafkaTopic, options.RequestTimeout), cancellationToken)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        var topic = metadata.Topics.FirstOrDefault(t => t.Topic == options.KafkaTopic);
        if (topic is null || topic.Error.Code is ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic)
        {
            return 0;
        }
        if (topic.Error.IsError)
        {
            throw new KafkaException(topic.Error);
        }
        return topic.Partitions.Count;
    }

    /// <summary>A created topic whose partitions no broker reports yet.</summary>
    private sealed class PartitionsNotVisibleException : Exception;

    /// <inheritdoc/>
    public async ValueTask<long> AppendAsync(string topic, LogRecord record, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        LogGuard.CheckAppend(topic, record, MaxRecordBytes);
        cancellationToken.ThrowIfCancellationRequested();
        return await Append(topic, PartitionOf(topic), record).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<long>> AppendBatchAsync(string topic, IReadOnlyList<LogRecord> records, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        LogGuard.CheckBatch(topic, records, MaxRecordBytes);
        cancellationToken.ThrowIfCancellationRequested();
        // Enqueued in order into one partition of an idempotent producer, so stored in order; acknowledgements awaited together.
        var partition = PartitionOf(topic);
        var pending = new Task<long>[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            pending[i] = Append(topic, partition, records[i]);
        }
        return await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Enqueues one record synchronously (so calls keep their order) and completes when the brokers acknowledged it.</summary>
    private Task<long> Append(string topic, TopicPartition partition, LogRecord record)
    {
        var delivered = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_recent.TryRegister(topic, record.EventId, delivered.Task) is { } earlier)
        {
            return earlier;
        }
        try
        {
            _producer.Produce(partition, KafkaRecordCodec.ToMessage(topic, record), report =>
            {
                if (report.Error.IsError || report.Status != PersistenceStatus.Persisted)
                {
                    Fail(report.Error.IsError ? new KafkaException(report.Error)
                        : new KafkaException(new Error(ErrorCode.Local_Fail, $"delivery status {report.Status}")));
                }
                else
                {
                    delivered.TrySetResult(KafkaRecordCodec.PositionOf(report.Offset.Value));
                }
            });
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
        return delivered.Task;

        void Fail(Exception ex)
        {
            _recent.Forget(topic, record.EventId, delivered.Task);
            delivered.TrySetException(KafkaErrors.AppendFailed(topic, record.EventId, ex, _options));
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Kafka keeps no per-key index: this scans the topic's partition backwards from its end in growing windows
    /// until it meets a record of <paramref name="topic"/>, so its cost grows with the number of other topics'
    /// records written after the topic's last one (an empty topic scans the whole partition).
    /// </remarks>
    public async ValueTask<long> GetEndPositionAsync(string topic, CancellationToken cancellationToken = default)
    {
        TopicName.Validate(topic);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var partition = PartitionOf(topic);
        var key = Encoding.UTF8.GetBytes(topic);
        var consumer = CreateConsumer();
        try
        {
            var marks = await GuardAsync(topic, QueryWatermarksAsync(consumer, partition, _options.ReadDeadline, linked.Token), cancellationToken).ConfigureAwait(false);
            var end = marks.High.Value;
            var window = 256L;
            while (end > marks.Low.Value)
            {
                var start = Math.Max(marks.Low.Value, end - window);
                var last = 0L;
                await foreach (var entry in ConsumeRangeAsync(consumer, topic, partition, key, start, end, cancellationToken, linked.Token).ConfigureAwait(false))
                {
                    last = entry.Position;
                }
                if (last > 0)
                {
                    return last;
                }
                end = start;
                window = Math.Min(window * 4, 1L << 20);
            }
            return 0;
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(KafkaEventLog), "The Kafka log was disposed during the call.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not EventLogException)
        {
            throw KafkaErrors.Classified($"Reading the end of topic '{topic}' on Kafka failed: {KafkaErrors.Describe(ex, _options)}", ex);
        }
        finally
        {
            ReleaseConsumer(consumer);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }
        await _disposed.CancelAsync().ConfigureAwait(false);
        // Deliver what was enqueued (its callers wait for it), then close.
        await Task.Run(() => _producer.Flush(_options.RequestTimeout)).ConfigureAwait(false);
        _producer.Dispose();
        _admin.Dispose();
        _disposed.Dispose();
    }
}
