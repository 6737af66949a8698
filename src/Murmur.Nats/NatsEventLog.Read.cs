using System.Runtime.CompilerServices;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Murmur.Nats;

/// <summary>Reading and following topics with ordered consumers.</summary>
public sealed partial class NatsEventLog
{
    /// <inheritdoc/>
    public async IAsyncEnumerable<LogEntry> ReadAsync(string topic, long fromPosition = 1, bool follow = false,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        LogGuard.CheckRead(topic, fromPosition);
        long end = long.MaxValue;
        if (!follow)
        {
            end = await GetEndPositionAsync(topic, cancellationToken).ConfigureAwait(false);
            if (end < fromPosition)
            {
                yield break;
            }
        }
        var subject = SubjectOf(topic);
        if (!_serverFiltersSubjects)
        {
            // nats-server before 2.10 ignores a consumer's subject filter, so an ordered consumer would scan every
            // topic of the stream. Catch up with "next message of this subject" gets instead (filtered by the
            // server), and only then follow with the consumer, from the current end.
            var catchUpTo = follow ? await GetEndPositionAsync(topic, cancellationToken).ConfigureAwait(false) : end;
            while (fromPosition <= catchUpTo)
            {
                var entry = await NextBySubjectAsync(topic, subject, fromPosition, cancellationToken).ConfigureAwait(false);
                if (entry is not { } found || found.Position > catchUpTo)
                {
                    break;
                }
                yield return found;
                fromPosition = found.Position + 1;
            }
            if (!follow)
            {
                yield break;
            }
            fromPosition = Math.Max(fromPosition, catchUpTo + 1);
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var last = fromPosition - 1;
        // One ordered consumer per pass. The client recreates an ordered consumer after a reconnect by itself; as a
        // second line of defence, a consumer that delivers nothing for a whole check period while the topic holds
        // records beyond the last one yielded is replaced, from the next position (see NextOrStallAsync).
        while (true)
        {
            using var consumerStop = CancellationTokenSource.CreateLinkedTokenSource(linked.Token);
            var consumer = await CreateConsumerAsync(topic, last + 1, linked.Token).ConfigureAwait(false);
            var enumerator = consumer.ConsumeAsync(NatsRawSerializer<byte[]>.Default, cancellationToken: consumerStop.Token).GetAsyncEnumerator(consumerStop.Token);
            try
            {
                while (true)
                {
                    var (message, stalled) = await NextOrStallAsync(enumerator, topic, last, consumerStop, cancellationToken).ConfigureAwait(false);
                    if (stalled)
                    {
                        break; // replace the consumer
                    }
                    if (message is null)
                    {
                        // The client ends a consume quietly when cancelled; a follower must not look finished.
                        cancellationToken.ThrowIfCancellationRequested();
                        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
                        yield break;
                    }
                    var position = message.Metadata is { } metadata ? checked((long)metadata.Sequence.Stream) : 0;
                    if (!_serverFiltersSubjects && !string.Equals(message.Subject, subject, StringComparison.Ordinal))
                    {
                        // nats-server before 2.10 ignores the consumer's subject filter: filter here.
                        if (position >= end)
                        {
                            yield break;
                        }
                        continue;
                    }
                    if (position <= last)
                    {
                        continue; // already yielded (a recreated consumer may repeat)
                    }
                    last = position;
                    var msgId = message.Headers is { } headers && headers.TryGetValue(MsgIdHeader, out var id) ? id.ToString() : string.Empty;
                    var eventId = msgId.StartsWith(topic + "/", StringComparison.Ordinal) ? msgId[(topic.Length + 1)..] : msgId;
                    yield return new LogEntry(position, eventId, message.Data ?? []);
                    if (position >= end)
                    {
                        yield break;
                    }
                }
            }
            finally
            {
                await consumerStop.CancelAsync().ConfigureAwait(false);
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

    private static readonly TimeSpan StallCheck = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The consumer's next message; or <c>Stalled</c> when it delivered nothing for <see cref="StallCheck"/> although
    /// the topic's end is beyond <paramref name="last"/> (the consumer lost its server and did not come back).
    /// </summary>
    private async Task<(INatsJSMsg<byte[]>? Message, bool Stalled)> NextOrStallAsync(
        IAsyncEnumerator<INatsJSMsg<byte[]>> enumerator, string topic, long last, CancellationTokenSource consumerStop, CancellationToken cancellationToken)
    {
        var move = enumerator.MoveNextAsync().AsTask();
        while (true)
        {
            var check = Task.Delay(StallCheck, consumerStop.Token);
            var finished = await Task.WhenAny(move, check).ConfigureAwait(false);
            if (finished == move)
            {
                try
                {
                    return (await move.ConfigureAwait(false) ? enumerator.Current : null, false);
                }
                catch (OperationCanceledException) when (_disposed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new ObjectDisposedException(nameof(NatsEventLog), "The NATS log was disposed while a reader followed it.");
                }
            }
            if (consumerStop.IsCancellationRequested)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            }
            long end;
            try
            {
                end = await GetEndPositionAsync(topic, consumerStop.Token).ConfigureAwait(false);
            }
            catch (EventLogException)
            {
                continue; // the servers are still unreachable: keep waiting
            }
            if (end > last)
            {
                await consumerStop.CancelAsync().ConfigureAwait(false);
                try
                {
                    await move.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
                catch (NatsException)
                {
                }
                return (null, true);
            }
        }
    }

    /// <summary>The first record of <paramref name="subject"/> at or after <paramref name="from"/>, or null.</summary>
    private async Task<LogEntry?> NextBySubjectAsync(string topic, string subject, long from, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _stream.GetAsync(new StreamMsgGetRequest { Seq = (ulong)from, NextBySubj = subject }, cancellationToken).ConfigureAwait(false);
            var stored = response.Message;
            var msgId = MsgIdFromHeaders(stored.Hdrs);
            var eventId = msgId.StartsWith(topic + "/", StringComparison.Ordinal) ? msgId[(topic.Length + 1)..] : msgId;
            return new LogEntry(checked((long)stored.Seq), eventId, stored.Data.ToArray());
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new EventLogException($"Reading topic '{topic}' on NATS failed: {Describe(ex)}", ex);
        }
    }

    /// <summary>The <c>Nats-Msg-Id</c> of a stored message's headers (base64 of <c>NATS/1.0\r\nName: value…</c>).</summary>
    private static string MsgIdFromHeaders(string? headers)
    {
        if (string.IsNullOrEmpty(headers))
        {
            return string.Empty;
        }
        string text;
        try
        {
            text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(headers));
        }
        catch (FormatException)
        {
            text = headers;
        }
        foreach (var line in text.Split("\r\n"))
        {
            if (line.StartsWith(MsgIdHeader + ":", StringComparison.OrdinalIgnoreCase))
            {
                return line[(MsgIdHeader.Length + 1)..].Trim();
            }
        }
        return string.Empty;
    }

    private async Task<INatsJSConsumer> CreateConsumerAsync(string topic, long fromPosition, CancellationToken cancellationToken)
    {
        try
        {
            return await _js.CreateOrderedConsumerAsync(_options.StreamName, new NatsJSOrderedConsumerOpts
            {
                FilterSubjects = [SubjectOf(topic)],
                DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence,
                OptStartSeq = (ulong)fromPosition,
                MaxResetAttempts = -1,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new EventLogException($"Reading topic '{topic}' on NATS failed: {Describe(ex)}", ex);
        }
    }
}
