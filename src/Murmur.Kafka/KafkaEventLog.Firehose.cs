using System.Runtime.CompilerServices;
using System.Text;
using Confluent.Kafka;
using Murmur.Logs;

namespace Murmur.Kafka;

/// <summary>The firehose: one consumer assigned to every partition of the Kafka topic, demultiplexed by record key.</summary>
public sealed partial class KafkaEventLog
{
    private const string AllTopics = "(all topics)";

    /// <inheritdoc/>
    /// <remarks>
    /// One consumer per call, assigned to every partition of <see cref="KafkaEventLogOptions.KafkaTopic"/> from each
    /// partition's high watermark at the time of the call, so every record acknowledged after the call returns is
    /// yielded. Each record is yielded under the Murmur topic named by its key, with the position
    /// <see cref="ReadAsync"/> gives it (offset + 1); records whose key is not a Murmur topic name are skipped. A second
    /// copy of an event id (another appender's retry) is not dropped here: the node's causal buffer drops it. Transient
    /// failures are retried until the firehose is disposed, resuming every partition after the last record it yielded;
    /// anything else ends the enumeration with an <see cref="EventLogException"/>.
    /// </remarks>
    public async ValueTask<ILogFirehose?> OpenFirehoseAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var consumer = CreateConsumer();
        try
        {
            var marks = await Task.WhenAll(Enumerable.Range(0, PartitionCount).Select(p =>
                GuardAsync(AllTopics, QueryWatermarksAsync(consumer, new TopicPartition(_options.KafkaTopic, new Partition(p)), _options.ReadDeadline, linked.Token), cancellationToken)))
                .ConfigureAwait(false);
            return new Firehose(this, consumer, [.. marks.Select(m => m.High.Value)]);
        }
        catch
        {
            ReleaseConsumer(consumer);
            throw;
        }
    }

    private async IAsyncEnumerable<TopicEntry> ReadFirehoseAsync(IConsumer<byte[], byte[]> consumer, long[] next, CancellationToken stop,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stop, _disposed.Token);
        TopicPartitionOffset[] Resume() => [.. next.Select((offset, p) => new TopicPartitionOffset(_options.KafkaTopic, new Partition(p), new Offset(offset)))];
        consumer.Assign(Resume());
        var names = new Dictionary<string, string>(StringComparer.Ordinal); // interned topic names: one string per topic, not per record
        while (true)
        {
            var result = await NextAsync(consumer, AllTopics, Resume, TimeSpan.MaxValue, cancellationToken, linked.Token).ConfigureAwait(false);
            if (result.IsPartitionEOF)
            {
                continue;
            }
            var partition = result.Partition.Value;
            var offset = result.Offset.Value;
            if (partition < 0 || partition >= next.Length || offset < next[partition])
            {
                continue; // a repeat after resuming
            }
            next[partition] = offset + 1;
            if (TopicOf(result.Message.Key, names) is not { } topic)
            {
                continue; // not a Murmur record
            }
            var eventId = result.Message.Headers is { } headers && headers.TryGetLastBytes(KafkaRecordCodec.EventIdHeader, out var id) ? Encoding.UTF8.GetString(id) : string.Empty;
            yield return new TopicEntry(topic, new LogEntry(KafkaRecordCodec.PositionOf(offset), eventId, result.Message.Value ?? []));
        }
    }

    /// <summary>The Murmur topic a record's key names, or null when the key is not a valid topic name.</summary>
    private static string? TopicOf(byte[]? key, Dictionary<string, string> names)
    {
        if (key is null || key.Length is 0 or > TopicName.MaxLength)
        {
            return null;
        }
        var text = Encoding.UTF8.GetString(key);
        if (names.TryGetValue(text, out var known))
        {
            return known;
        }
        if (TopicName.Check(text) is not null)
        {
            return null;
        }
        if (names.Count < 100_000)
        {
            names[text] = text;
        }
        return text;
    }

    /// <summary>
    /// Owns its consumer: the enumeration releases it when it ends; a dispose before the enumeration started releases
    /// it at once, a dispose during it stops the enumeration and waits for it (a consumer must not be closed while a
    /// thread consumes from it).
    /// </summary>
    private sealed class Firehose(KafkaEventLog log, IConsumer<byte[], byte[]> consumer, long[] starts) : ILogFirehose
    {
        private const int Idle = 0, Reading = 1, Closed = 2;
        private readonly CancellationTokenSource _stop = new();
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _state;

        public async IAsyncEnumerable<TopicEntry> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var state = Interlocked.CompareExchange(ref _state, Reading, Idle);
            ObjectDisposedException.ThrowIf(state == Closed, this);
            if (state != Idle)
            {
                throw new InvalidOperationException("A firehose is read once; open another one.");
            }
            try
            {
                await foreach (var item in log.ReadFirehoseAsync(consumer, starts, _stop.Token, cancellationToken).ConfigureAwait(false))
                {
                    yield return item;
                }
            }
            finally
            {
                log.ReleaseConsumer(consumer);
                _ended.TrySetResult();
            }
        }

        public async ValueTask DisposeAsync()
        {
            var state = Interlocked.Exchange(ref _state, Closed);
            if (state == Closed)
            {
                return;
            }
            await _stop.CancelAsync().ConfigureAwait(false);
            if (state == Idle)
            {
                log.ReleaseConsumer(consumer);
            }
            else
            {
                await _ended.Task.ConfigureAwait(false);
            }
            _stop.Dispose();
        }
    }
}
