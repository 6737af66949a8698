using System.Runtime.CompilerServices;
using Murmur.Logs;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Murmur.Nats;

/// <summary>The firehose: one consumer on every topic's subject, so a node holds one consumer whatever it follows.</summary>
public sealed partial class NatsEventLog
{
    /// <inheritdoc/>
    /// <remarks>
    /// One ephemeral consumer on <c>{prefix}.&gt;</c>, from the record after the stream's last at the time of the call.
    /// It is replaced from the next record when its sequence skips one, its consume ends or fails, or it stalls (as a
    /// topic follower's is); after <c>2</c> replacements in a row that delivered nothing the firehose fails with an
    /// <see cref="EventLogException"/> and the node opens a new one and catches its topics up.
    /// </remarks>
    public async ValueTask<ILogFirehose?> OpenFirehoseAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var last = await StreamLastSequenceAsync(cancellationToken).ConfigureAwait(false);
        return new Firehose(this, last + 1);
    }

    /// <inheritdoc/>
    /// <remarks>Purges the topic's subject from the stream (the other topics' records and the stream's sequence stay).</remarks>
    public async ValueTask<bool> DeleteTopicAsync(string topic, CancellationToken cancellationToken = default)
    {
        TopicName.Validate(topic);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        try
        {
            await RetryTransientAsync(ct => _stream.PurgeAsync(new StreamPurgeRequest { Filter = SubjectOf(topic) }, ct).AsTask(), _options.ReadDeadline, topic, cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw NatsErrors.Failed($"Deleting topic '{topic}' on NATS failed: {Describe(ex)}", ex);
        }
    }

    /// <summary>The stream's last sequence (0 when it is empty).</summary>
    private async ValueTask<long> StreamLastSequenceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var stream = await RetryTransientAsync(ct => _js.GetStreamAsync(_options.StreamName, cancellationToken: ct).AsTask(), _options.ReadDeadline, "(all topics)", cancellationToken)
                .ConfigureAwait(false);
            return checked((long)stream.Info.State.LastSeq);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw NatsErrors.Failed($"Reading the end of stream '{_options.StreamName}' on NATS failed: {Describe(ex)}", ex);
        }
    }

    private async IAsyncEnumerable<TopicEntry> ReadFirehoseAsync(long from, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var filter = _options.SubjectPrefix + ".>";
        var prefixLength = _options.SubjectPrefix.Length + 1;
        var last = from - 1;
        var fruitless = 0;
        while (true)
        {
            if (fruitless >= FruitlessPasses)
            {
                throw new EventLogException($"The firehose of stream '{_options.StreamName}' delivered nothing through {fruitless} consumers in a row while the stream grew.") { IsTransient = true };
            }
            var period = StallCheck * (1 << Math.Min(fruitless, 2));
            var yielded = false;
            using var consumerStop = CancellationTokenSource.CreateLinkedTokenSource(linked.Token);
            var consumer = await CreateConsumerAsync("(all topics)", filter, last + 1, _options.ReadDeadline, linked.Token).ConfigureAwait(false);
            ulong consumed = 0;
            var enumerator = consumer.ConsumeAsync(NatsRawSerializer<byte[]>.Default, FirehoseConsumeOpts, consumerStop.Token).GetAsyncEnumerator(consumerStop.Token);
            var abandoned = false;
            try
            {
                while (true)
                {
                    var next = await NextOrStallAsync(enumerator, "(all topics)", StreamLastSequenceAsync, last, period, consumerStop, cancellationToken).ConfigureAwait(false);
                    if (next.Stalled || next.Message is null)
                    {
                        abandoned = next.Abandoned;
                        cancellationToken.ThrowIfCancellationRequested();
                        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
                        fruitless = yielded ? 0 : fruitless + 1;
                        if (!next.Stalled)
                        {
                            await Task.Delay(StallCheck / 10, _time, linked.Token).ConfigureAwait(false);
                        }
                        break;
                    }
                    var message = next.Message;
                    Interlocked.Increment(ref _consumerMessages);
                    if (message.Metadata is not { } metadata)
                    {
                        continue;
                    }
                    if (metadata.Sequence.Consumer != ++consumed)
                    {
                        NatsLogMessages.ConsumerGap(_logger, "(all topics)", consumed, metadata.Sequence.Consumer, last);
                        fruitless = 0;
                        break;
                    }
                    var position = checked((long)metadata.Sequence.Stream);
                    if (position <= last || message.Subject.Length <= prefixLength)
                    {
                        continue;
                    }
                    last = position;
                    yielded = true;
                    var topic = message.Subject[prefixLength..];
                    var msgId = message.Headers is { } headers && headers.TryGetValue(MsgIdHeader, out var id) ? id.ToString() : string.Empty;
                    var eventId = msgId.StartsWith(topic + "/", StringComparison.Ordinal) ? msgId[(topic.Length + 1)..] : msgId;
                    yield return new TopicEntry(topic, new LogEntry(position, eventId, message.Data ?? []));
                }
            }
            finally
            {
                await consumerStop.CancelAsync().ConfigureAwait(false);
                DeleteQuietly(consumer.Info.Name);
                if (!abandoned)
                {
                    try
                    {
                        await enumerator.DisposeAsync().ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            }
        }
    }

    /// <summary>Larger pulls than a topic follower's: the firehose carries every topic.</summary>
    private static readonly NatsJSConsumeOpts FirehoseConsumeOpts = new()
    {
        MaxMsgs = 2_000,
        Expires = TimeSpan.FromSeconds(10),
        IdleHeartbeat = TimeSpan.FromMilliseconds(2_500),
    };

    private sealed class Firehose(NatsEventLog log, long from) : ILogFirehose
    {
        private int _read;

        public IAsyncEnumerable<TopicEntry> ReadAsync(CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _read, 1) != 0)
            {
                throw new InvalidOperationException("A firehose is read once; open another one.");
            }
            return log.ReadFirehoseAsync(from, cancellationToken);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
