using System.Runtime.CompilerServices;
using System.Text;
using Confluent.Kafka;
using Murmur.Logs;
using Murmur.Transport;

namespace Murmur.Kafka;

/// <summary>Reading and following topics with consumers assigned to one partition (no consumer group, no commits).</summary>
public sealed partial class KafkaEventLog
{
    /// <inheritdoc/>
    /// <remarks>
    /// Reads the topic's partition from offset <c>fromPosition - 1</c>, skipping other topics' records. Without
    /// <paramref name="follow"/> it stops at the partition's end as it was when the read started. A repeated event id
    /// of the topic (a second copy from an application retry) is dropped within one read, for the last
    /// <see cref="KafkaEventLogOptions.RecentEventIds"/> ids. Transient failures (a leader that moved, a broker that
    /// restarts) are retried from the record after the last one yielded: for up to
    /// <see cref="KafkaEventLogOptions.ReadDeadline"/> by a bounded read, until cancelled by a follower.
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
                end = (await GuardAsync(topic, QueryWatermarksAsync(consumer, partition, _options.ReadDeadline, linked.Token), cancellationToken).ConfigureAwait(false)).High.Value;
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
            ReleaseConsumer(consumer);
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
        var next = start;
        consumer.Assign(new TopicPartitionOffset(partition, new Offset(start)));
        while (true)
        {
            var result = await NextAsync(consumer, topic, () => [new TopicPartitionOffset(partition, new Offset(next))],
                follow ? TimeSpan.MaxValue : _options.ReadDeadline, caller, cancellationToken).ConfigureAwait(false);
            if (result.IsPartitionEOF)
            {
                if (!follow)
                {
                    yield break;
                }
                continue;
            }
            var offset = result.Offset.Value;
            if (offset < next)
            {
                continue; // an old assignment's message, a repeat after resuming, or a reset to the earliest offset after retention removed the start
            }
            if (offset >= end)
            {
                yield break;
            }
            next = offset + 1;
            if (KafkaRecordCodec.TryDecode(key, result.Message, offset, out var entry))
            {
                yield return entry;
            }
            if (next >= end)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// The next message or end-of-partition event. A transient consume error is retried through the consume pipeline
    /// (backoff, jitter, <paramref name="deadline"/>), each retry re-assigning <paramref name="resume"/> (the offsets
    /// after the last records yielded) first; anything else becomes an <see cref="EventLogException"/>.
    /// </summary>
    private async Task<ConsumeResult<byte[], byte[]>> NextAsync(IConsumer<byte[], byte[]> consumer, string what, Func<TopicPartitionOffset[]> resume,
        TimeSpan deadline, CancellationToken caller, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Exception? failed = null;
        try
        {
            // Buffered messages come without a thread hop or a pipeline; only a real wait (or a failure) goes through it.
            if (consumer.Consume(TimeSpan.Zero) is { } buffered)
            {
                return buffered;
            }
        }
        catch (ConsumeException ex) when (KafkaErrors.IsTransient(ex) && deadline > TimeSpan.Zero)
        {
            failed = ex;
        }
        catch (ConsumeException ex)
        {
            throw KafkaErrors.ReadFailed(what, ex, _options);
        }
        try
        {
            return await _consumes.ExecuteAsync(async token =>
            {
                if (failed is not null)
                {
                    var offsets = resume();
                    KafkaLogMessages.ConsumeRetrying(_logger, what, KafkaErrors.Describe(failed, _options), offsets[0].Partition.Value, offsets[0].Offset.Value - 1);
                    consumer.Assign(offsets);
                }
                try
                {
                    return await Task.Factory.StartNew(() => consumer.Consume(token), token, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
                }
                catch (ConsumeException ex)
                {
                    failed = ex;
                    throw;
                }
            }, deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested && !caller.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(KafkaEventLog), "The Kafka log was disposed while a reader used it.");
        }
        catch (Exception ex) when (ex is KafkaException or TimeoutException)
        {
            throw KafkaErrors.ReadFailed(what, ex, _options);
        }
    }

    /// <summary>A partition's low and high watermarks, retrying transient failures (a leader that moved) for up to <paramref name="deadline"/>.</summary>
    private Task<WatermarkOffsets> QueryWatermarksAsync(IConsumer<byte[], byte[]> consumer, TopicPartition partition, TimeSpan deadline, CancellationToken cancellationToken)
        => _reads.ExecuteAsync(
            token => Task.Run(() => consumer.QueryWatermarkOffsets(partition, _options.RequestTimeout), token).WaitAsync(token),
            deadline, cancellationToken);

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
        catch (Exception ex) when (ex is KafkaException or TimeoutException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException)
        {
            throw KafkaErrors.ReadFailed(topic, ex, _options);
        }
    }

    private IConsumer<byte[], byte[]> CreateConsumer()
    {
        var consumer = _clients.Consumer();
        Interlocked.Increment(ref _openConsumers);
        Interlocked.Increment(ref _consumersCreated);
        return consumer;
    }

    /// <summary>Closes a consumer no call uses any more (never one that a thread still consumes from).</summary>
    private void ReleaseConsumer(IConsumer<byte[], byte[]> consumer)
    {
        consumer.Dispose();
        Interlocked.Decrement(ref _openConsumers);
    }

    /// <summary>
    /// Consumes: transient errors are retried until the call's deadline, without an attempt timeout (a follower's
    /// consume waits as long as nothing is appended).
    /// </summary>
    private static LogPipeline ConsumePipeline(KafkaEventLogOptions options)
        => new(options.Resilience, ex => ex is ConsumeException consume && KafkaErrors.IsTransient(consume));
}
