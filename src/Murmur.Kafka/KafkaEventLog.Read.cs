using System.Runtime.CompilerServices;
using System.Text;
using Confluent.Kafka;

namespace Murmur.Kafka;

/// <summary>Reading and following topics with consumers assigned to one partition (no consumer group, no commits).</summary>
public sealed partial class KafkaEventLog
{
    /// <inheritdoc/>
    /// <remarks>
    /// Reads the topic's partition from offset <c>fromPosition - 1</c>, skipping other topics' records. Without
    /// <paramref name="follow"/> it stops at the partition's end as it was when the read started. A repeated event id
    /// of the topic (a second copy from an application retry) is dropped within one read, for the last
    /// <see cref="KafkaEventLogOptions.RecentEventIds"/> ids.
    /// </remarks>
    public async IAsyncEnumerable<LogEntry> ReadAsync(string topic, long fromPosition = 1, bool follow = false,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        LogGuard.CheckRead(topic, fromPosition);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var partition = PartitionOf(topic);
        var key = Encoding.UTF8.GetBytes(topic);
        var consumer = CreateConsumer();
        try
        {
            var end = long.MaxValue;
            if (!follow)
            {
                end = (await GuardAsync(topic, QueryWatermarksAsync(consumer, partition, linked.Token), cancellationToken).ConfigureAwait(false)).High.Value;
            }
            var seen = new SeenEventIds(_options.RecentEventIds);
            await foreach (var entry in ConsumeRangeAsync(consumer, topic, partition, key, KafkaRecordCodec.OffsetOf(fromPosition), end, cancellationToken, linked.Token)
                .ConfigureAwait(false))
            {
                if (seen.Add(entry.EventId))
                {
                    yield return entry;
                }
            }
        }
        finally
        {
            consumer.Dispose();
        }
    }

    /// <summary>The topic's entries at offsets in [<paramref name="start"/>, <paramref name="end"/>); <paramref name="end"/> = <see cref="long.MaxValue"/> follows.</summary>
    private async IAsyncEnumerable<LogEntry> ConsumeRangeAsync(IConsumer<byte[], byte[]> consumer, string topic, TopicPartition partition, byte[] key,
        long start, long end, CancellationToken caller, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (start >= end)
        {
            yield break;
        }
        var follow = end == long.MaxValue;
        consumer.Assign(new TopicPartitionOffset(partition, new Offset(start)));
        while (true)
        {
            var result = await GuardAsync(topic, NextAsync(consumer, cancellationToken), caller).ConfigureAwait(false);
            if (result.IsPartitionEOF)
            {
                if (!follow)
                {
                    yield break;
                }
                continue;
            }
            var offset = result.Offset.Value;
            if (offset < start)
            {
                continue; // an old assignment's message, or a reset to the earliest offset after retention removed the start
            }
            if (offset >= end)
            {
                yield break;
            }
            if (KafkaRecordCodec.TryDecode(key, result.Message, offset, out var entry))
            {
                yield return entry;
            }
            if (offset + 1 >= end)
            {
                yield break;
            }
        }
    }

    /// <summary>The next message or end-of-partition event; buffered ones without a thread hop, else waits on a dedicated thread.</summary>
    private static async Task<ConsumeResult<byte[], byte[]>> NextAsync(IConsumer<byte[], byte[]> consumer, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return consumer.Consume(TimeSpan.Zero)
            ?? await Task.Factory.StartNew(() => consumer.Consume(cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                .ConfigureAwait(false);
    }

    private async Task<WatermarkOffsets> QueryWatermarksAsync(IConsumer<byte[], byte[]> consumer, TopicPartition partition, CancellationToken cancellationToken)
        => await Task.Run(() => consumer.QueryWatermarkOffsets(partition, _options.RequestTimeout), cancellationToken)
            .WaitAsync(_options.RequestTimeout * 2, cancellationToken).ConfigureAwait(false);

    /// <summary>Awaits <paramref name="operation"/>, turning a disposal into <see cref="ObjectDisposedException"/> and client errors into <see cref="EventLogException"/>.</summary>
    private async Task<T> GuardAsync<T>(string topic, Task<T> operation, CancellationToken caller)
    {
        try
        {
            return await operation.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested && !caller.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(KafkaEventLog), "The Kafka log was disposed while a reader used it.");
        }
        catch (Exception ex) when (ex is KafkaException or TimeoutException)
        {
            throw KafkaErrors.ReadFailed(topic, ex, _options);
        }
    }

    private IConsumer<byte[], byte[]> CreateConsumer() => new ConsumerBuilder<byte[], byte[]>(KafkaConfigFactory.Consumer(_options)).Build();
}
