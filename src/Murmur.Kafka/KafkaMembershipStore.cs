using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Confluent.Kafka;
using Murmur.Fleet;
using Murmur.Logs;

namespace Murmur.Kafka;

/// <summary>
/// The fleet's membership store on Kafka: a compacted topic of one partition, one record per node keyed by its id.
/// Reading is reading the partition to its end and keeping the last record of each key (a tombstone, a record without
/// a value, removes its key), which is what the broker's compaction keeps too; so the answer is the same before and
/// after compaction, and storage does not grow with time where the broker compacts.
/// </summary>
/// <remarks>
/// Publishes go through the log's idempotent producer (<c>acks=all</c>). Each read and each watch uses a consumer of
/// its own, assigned to the partition, never committing. Thread-safe.
/// </remarks>
internal sealed class KafkaMembershipStore(
    string topic,
    IProducer<byte[], byte[]> producer,
    Func<IConsumer<byte[], byte[]>> createConsumer,
    Action<IConsumer<byte[], byte[]>> releaseConsumer,
    KafkaEventLogOptions options,
    CancellationToken logDisposed) : IMembershipStore
{
    private readonly TopicPartition _partition = new(topic, new Partition(0));
    private readonly CancellationTokenSource _disposed = new();

    public ValueTask PublishAsync(string node, ReadOnlyMemory<byte> announcement, CancellationToken cancellationToken = default)
        => ProduceAsync(node, announcement.ToArray(), "Publishing", cancellationToken);

    /// <summary>Writes a node's record; a null value is a tombstone, which removes the key (compaction drops both later).</summary>
    private async ValueTask ProduceAsync(string node, byte[]? value, string what, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            producer.Produce(_partition, new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(node), Value = value! }, report =>
            {
                if (report.Error.IsError || report.Status != PersistenceStatus.Persisted)
                {
                    delivered.TrySetException(report.Error.IsError ? new KafkaException(report.Error)
                        : new KafkaException(new Error(ErrorCode.Local_Fail, $"delivery status {report.Status}")));
                }
                else
                {
                    delivered.TrySetResult();
                }
            });
            await delivered.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is KafkaException or ObjectDisposedException)
        {
            throw KafkaErrors.Classified($"{what} the announcement of node '{node}' to Kafka topic '{topic}' failed: {KafkaErrors.Describe(ex, options)}", ex);
        }
    }

    public ValueTask RemoveAsync(string node, CancellationToken cancellationToken = default) => ProduceAsync(node, null, "Removing", cancellationToken);

    public async ValueTask<IReadOnlyList<MembershipRecord>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var consumer = createConsumer();
        try
        {
            var (last, _) = await Task.Run(() => ReadToEnd(consumer, cancellationToken), cancellationToken).ConfigureAwait(false);
            return [.. last.Select(p => new MembershipRecord(p.Key, p.Value))];
        }
        finally
        {
            releaseConsumer(consumer);
        }
    }

    public async IAsyncEnumerable<MembershipRecord> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token, logDisposed);
        var channel = Channel.CreateBounded<MembershipRecord>(new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
        var consumer = createConsumer();
        // The consumer's calls block: one thread of its own runs them and hands records over; it owns the consumer.
        var pump = Task.Run(async () =>
        {
            try
            {
                var (last, next) = ReadToEnd(consumer, linked.Token);
                foreach (var (node, data) in last)
                {
                    await channel.Writer.WriteAsync(new MembershipRecord(node, data), linked.Token).ConfigureAwait(false);
                }
                consumer.Assign(new TopicPartitionOffset(_partition, new Offset(next)));
                while (!linked.Token.IsCancellationRequested)
                {
                    var result = Consume(consumer, TimeSpan.FromMilliseconds(100));
                    if (result is { IsPartitionEOF: false, Message: { } message } && Decode(message) is { Node: var node } record)
                    {
                        // A tombstone is a removal: a record without data.
                        var data = record.Data is { } value ? value : ReadOnlyMemory<byte>.Empty;
                        await channel.Writer.WriteAsync(new MembershipRecord(node, data), linked.Token).ConfigureAwait(false);
                    }
                }
                channel.Writer.TryComplete();
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                channel.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                channel.Writer.TryComplete(ex);
            }
            finally
            {
                releaseConsumer(consumer);
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var record in channel.Reader.ReadAllAsync(linked.Token).ConfigureAwait(false))
            {
                yield return record;
            }
        }
        finally
        {
            await linked.CancelAsync().ConfigureAwait(false);
            try
            {
                await pump.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Reads the partition from its start to its current end; returns the last value of each node (tombstones remove) and the next offset.</summary>
    private (Dictionary<string, byte[]> Last, long Next) ReadToEnd(IConsumer<byte[], byte[]> consumer, CancellationToken cancellationToken)
    {
        var last = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        WatermarkOffsets marks;
        try
        {
            marks = consumer.QueryWatermarkOffsets(_partition, options.RequestTimeout);
        }
        catch (KafkaException ex)
        {
            throw KafkaErrors.ReadFailed(topic, ex, options);
        }
        var next = marks.Low.Value;
        if (marks.High.Value <= next)
        {
            return (last, marks.High.Value);
        }
        consumer.Assign(new TopicPartitionOffset(_partition, new Offset(next)));
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (next < marks.High.Value)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > options.ReadDeadline)
            {
                throw new EventLogException($"Reading the fleet's membership topic '{topic}' on Kafka did not reach its end (offset {marks.High.Value}) within ReadDeadline {options.ReadDeadline.TotalSeconds:0.###} s.")
                { IsTransient = true };
            }
            var result = Consume(consumer, TimeSpan.FromMilliseconds(100));
            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }
            next = result.Offset.Value + 1;
            if (Decode(result.Message) is { } record)
            {
                if (record.Data is { } data)
                {
                    last[record.Node] = data;
                }
                else
                {
                    last.Remove(record.Node);
                }
            }
        }
        return (last, next);
    }

    private ConsumeResult<byte[], byte[]>? Consume(IConsumer<byte[], byte[]> consumer, TimeSpan timeout)
    {
        try
        {
            return consumer.Consume(timeout);
        }
        catch (ConsumeException ex) when (KafkaErrors.IsTransient(ex))
        {
            return null; // a leader that moved, a broker restarting: the next call tries again
        }
        catch (ConsumeException ex)
        {
            throw KafkaErrors.ReadFailed(topic, ex, options);
        }
    }

    /// <summary>A record's node (its key) and announcement (null for a tombstone); null for a record without a usable key, which is skipped.</summary>
    private static (string Node, byte[]? Data)? Decode(Message<byte[], byte[]> message)
    {
        if (message.Key is not { Length: > 0 } key)
        {
            return null;
        }
        string node;
        try
        {
            node = new UTF8Encoding(false, true).GetString(key);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        return (node, message.Value);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_disposed.IsCancellationRequested)
        {
            await _disposed.CancelAsync().ConfigureAwait(false);
        }
    }
}
