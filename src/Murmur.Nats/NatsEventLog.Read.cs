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
        var consumer = await CreateConsumerAsync(topic, fromPosition, linked.Token).ConfigureAwait(false);
        var enumerator = consumer.ConsumeAsync(NatsRawSerializer<byte[]>.Default, cancellationToken: linked.Token).GetAsyncEnumerator(linked.Token);
        // The ordered consumer recreates itself after a reconnect from the last sequence it delivered;
        // the guard below also drops anything at or before a position already yielded.
        var last = fromPosition - 1;
        try
        {
            while (true)
            {
                INatsJSMsg<byte[]> message;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        // The client ends a consume quietly when cancelled; a follower must not look finished.
                        cancellationToken.ThrowIfCancellationRequested();
                        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
                        yield break;
                    }
                    message = enumerator.Current;
                }
                catch (OperationCanceledException) when (_disposed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new ObjectDisposedException(nameof(NatsEventLog), "The NATS log was disposed while a reader followed it.");
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
                    continue;
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
            await enumerator.DisposeAsync().ConfigureAwait(false);
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
