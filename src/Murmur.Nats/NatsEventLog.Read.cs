using System.Runtime.CompilerServices;
using Murmur.Logs;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Murmur.Nats;

/// <summary>Reading and following topics with server-filtered consumers.</summary>
public sealed partial class NatsEventLog
{
    /// <summary>How many of the last event ids a read remembers to skip a second copy the servers stored (see <see cref="ReadAsync"/>).</summary>
    private const int RecentIds = 32;

    /// <inheritdoc/>
    /// <remarks>
    /// An append is retried with the same <c>Nats-Msg-Id</c>, which JetStream de-duplicates; yet nats-server 2.9
    /// was seen to store a retried append twice when the whole cluster restarted under it (the stream's leader changed
    /// between the first try and the retry). Such a second copy follows its original closely, so a read skips a
    /// record whose event id is among the last <see cref="RecentIds"/> it yielded (a warning names both positions).
    /// </remarks>
    public async IAsyncEnumerable<LogEntry> ReadAsync(string topic, long fromPosition = 1, bool follow = false,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string?[]? recent = null; // allocated with the first record: many reads (a new topic's catch-up) yield none
        var positions = Array.Empty<long>();
        var next = 0;
        await foreach (var entry in ReadOnceOrMoreAsync(topic, fromPosition, follow, cancellationToken).ConfigureAwait(false))
        {
            if (recent is null)
            {
                recent = new string?[RecentIds];
                positions = new long[RecentIds];
            }
            else if (entry.EventId.Length > 0 && Array.IndexOf(recent, entry.EventId) is var at and >= 0)
            {
                NatsLogMessages.DuplicateSkipped(_logger, topic, entry.EventId, entry.Position, positions[at]);
                continue;
            }
            recent[next] = entry.EventId;
            positions[next] = entry.Position;
            next = (next + 1) % RecentIds;
            yield return entry;
        }
    }

    /// <summary>The records of a topic as the servers hold them (a second copy of one included).</summary>
    private async IAsyncEnumerable<LogEntry> ReadOnceOrMoreAsync(string topic, long fromPosition, bool follow,
        [EnumeratorCancellation] CancellationToken cancellationToken)
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
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var last = fromPosition - 1;
        if (!follow)
        {
            // A bounded read of a short topic (most catch-ups: a new topic holds a JOIN or two) is a few gets, not a
            // consumer: creating one is an API request and work for the servers' meta layer, and while a server is down
            // such requests went unanswered for a minute (a test kills one while 2,000 topics are set up).
            var read = 0;
            await foreach (var entry in ReadByGetsAsync(topic, subject, last, end, ShortReadGets, linked.Token).ConfigureAwait(false))
            {
                last = entry.Position;
                read++;
                yield return entry;
            }
            if (last >= end || read < ShortReadGets)
            {
                yield break; // fewer than asked for: the subject holds nothing more up to the end
            }
        }
        // One consumer per pass (see CreateConsumerAsync). It is replaced from the next position when its sequence
        // skips a record, when its consume ends or fails (deleted with its server, leader change), and, as a last
        // line of defence, when it delivers nothing for a check period while the topic holds records
        // beyond the last one yielded is replaced, from the next position (see NextOrStallAsync). A replacement that
        // delivers nothing either gets a longer period (creating a consumer can take longer than a check period while
        // the cluster elects leaders, and cancelling it each time would never let one finish); after FruitlessPasses
        // such passes in a row the follower reads on with direct gets, which need nothing but the stream's leader.
        var fruitless = 0;
        while (true)
        {
            if (fruitless >= FruitlessPasses)
            {
                var target = await GetEndPositionAsync(topic, linked.Token).ConfigureAwait(false);
                NatsLogMessages.ReadingOnWithGets(_logger, topic, fruitless, last, target);
                await foreach (var entry in ReadByGetsAsync(topic, subject, last, Math.Min(target, end), GetBatch, linked.Token).ConfigureAwait(false))
                {
                    last = entry.Position;
                    yield return entry;
                }
                if (last >= end)
                {
                    yield break;
                }
                fruitless = 0;
            }
            var period = StallCheck * (1 << Math.Min(fruitless, 2));
            var yielded = false;
            using var consumerStop = CancellationTokenSource.CreateLinkedTokenSource(linked.Token);
            var consumer = await CreateConsumerAsync(topic, subject, last + 1, follow ? TimeSpan.MaxValue : _options.ReadDeadline, linked.Token).ConfigureAwait(false);
            ulong consumed = 0;
            var enumerator = consumer.ConsumeAsync(NatsRawSerializer<byte[]>.Default, ConsumeOpts, consumerStop.Token).GetAsyncEnumerator(consumerStop.Token);
            var abandoned = false;
            try
            {
                while (true)
                {
                    var next = await NextOrStallAsync(enumerator, topic, ct => GetEndPositionAsync(topic, retry: false, ct), last, period, consumerStop, cancellationToken).ConfigureAwait(false);
                    if (next.Stalled || next.Message is null)
                    {
                        // A consume that ends by itself is replaced like a stalled one: a follower must not look finished.
                        abandoned = next.Abandoned;
                        cancellationToken.ThrowIfCancellationRequested();
                        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
                        fruitless = yielded ? 0 : fruitless + 1;
                        if (!next.Stalled)
                        {
                            await Task.Delay(StallCheck / 10, _time, linked.Token).ConfigureAwait(false); // not a hot loop if it keeps ending
                        }
                        break;
                    }
                    var message = next.Message;
                    Interlocked.Increment(ref _consumerMessages);
                    if (message.Metadata is not { } metadata)
                    {
                        continue; // not a stored record
                    }
                    if (metadata.Sequence.Consumer != ++consumed)
                    {
                        // A record went missing between server and client (e.g. in flight across a reconnect): without
                        // acks the consumer would not send it again, so a new one starts after the last record yielded.
                        NatsLogMessages.ConsumerGap(_logger, topic, consumed, metadata.Sequence.Consumer, last);
                        fruitless = 0;
                        break;
                    }
                    var position = checked((long)metadata.Sequence.Stream);
                    if (!string.Equals(message.Subject, subject, StringComparison.Ordinal))
                    {
                        continue; // the server filters by subject; this only guards against one that does not
                    }
                    if (position <= last)
                    {
                        continue; // already yielded (a recreated consumer may repeat)
                    }
                    last = position;
                    yielded = true;
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

    private long _consumerMessages;

    /// <summary>Messages the followers' consumers received, of any subject (a test checks that the server filters by topic).</summary>
    internal long ConsumerMessagesReceived => Interlocked.Read(ref _consumerMessages);

    /// <summary>How long a consumer may deliver nothing while the topic has newer records before it is replaced (doubled, up to 4×, for a replacement that delivered nothing either).</summary>
    private static readonly TimeSpan StallCheck = TimeSpan.FromSeconds(5);

    /// <summary>After this many replaced consumers in a row that delivered nothing, the follower reads on with direct gets.</summary>
    private const int FruitlessPasses = 2;

    /// <summary>At most this many records are read with direct gets before a consumer is tried again.</summary>
    private const int GetBatch = 2_000;

    /// <summary>How many records a bounded read fetches with gets before it creates a consumer for the rest.</summary>
    private const int ShortReadGets = 8;

    /// <summary>
    /// Shorter pull expiry and heartbeats than the client's defaults (30 s / 15 s): the client notices a consumer that
    /// died with its server after two missed heartbeats (5 s) and recreates it by itself, even on a quiet topic.
    /// </summary>
    private static readonly NatsJSConsumeOpts ConsumeOpts = new()
    {
        MaxMsgs = 500,
        Expires = TimeSpan.FromSeconds(10),
        IdleHeartbeat = TimeSpan.FromMilliseconds(2_500),
    };

    /// <summary>
    /// The topic's records after position <paramref name="after"/> up to <paramref name="upTo"/>, read one direct get at
    /// a time (no consumer: a get needs nothing but the stream's leader), at most <paramref name="max"/> of them. Stops at
    /// the first position past <paramref name="upTo"/> without yielding it, and when the subject holds no more records.
    /// </summary>
    private async IAsyncEnumerable<LogEntry> ReadByGetsAsync(string topic, string subject, long after, long upTo, int max,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var read = 0; read < max && after < upTo; read++)
        {
            var entry = await NextBySubjectAsync(topic, subject, after + 1, cancellationToken).ConfigureAwait(false);
            if (entry is not { } found || found.Position > upTo)
            {
                yield break;
            }
            after = found.Position;
            yield return found;
        }
    }

    /// <summary>The first record of <paramref name="subject"/> at or after <paramref name="from"/>, or null.</summary>
    private async Task<LogEntry?> NextBySubjectAsync(string topic, string subject, long from, CancellationToken cancellationToken)
    {
        try
        {
            var response = await RetryTransientAsync(
                ct => _stream.GetAsync(new StreamMsgGetRequest { Seq = (ulong)from, NextBySubj = subject }, ct).AsTask(), _options.ReadDeadline, topic, cancellationToken).ConfigureAwait(false);
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
            throw NatsErrors.Failed($"Reading topic '{topic}' on NATS failed: {Describe(ex)}", ex);
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

    /// <summary>
    /// A consumer of one topic from <paramref name="fromPosition"/>: ephemeral, in memory, one replica, no acks, and
    /// filtered by the server with the single <c>filter_subject</c> every JetStream version honours. (The client's
    /// ordered consumer sends <c>filter_subjects</c>, which nats-server before 2.10 ignores: every follower would then
    /// receive every topic's records, and the cost of each append would grow with the number of topics followed.)
    /// What the ordered consumer did on top is done by <see cref="ReadAsync"/>: a gap in the consumer's sequence, a
    /// consume that ends or fails, or a stall replaces the consumer from the next position.
    /// </summary>
    /// <remarks>
    /// Transient failures (no answer while the servers elect leaders after a server died) are retried: by a follower
    /// until it is cancelled, as the client's ordered consumer did; by a bounded read for <see cref="NatsEventLogOptions.ReadDeadline"/>.
    /// </remarks>
    private async Task<INatsJSConsumer> CreateConsumerAsync(string topic, string filterSubject, long fromPosition, TimeSpan deadline, CancellationToken cancellationToken)
    {
        // A fresh name per attempt (as before), each registered before its request: an attempt whose answer was lost
        // may have created its consumer, and disposing the log deletes whatever is registered.
        var names = new List<string>();
        try
        {
            return await RetryTransientAsync(ct => _js.CreateOrUpdateConsumerAsync(_options.StreamName, new ConsumerConfig
            {
                Name = Register(names),
                FilterSubject = filterSubject,
                DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence,
                OptStartSeq = (ulong)fromPosition,
                AckPolicy = ConsumerConfigAckPolicy.None,
                ReplayPolicy = ConsumerConfigReplayPolicy.Instant,
                MemStorage = true,
                NumReplicas = 1,
                InactiveThreshold = ConsumerInactiveThreshold,
            }, ct).AsTask(), deadline, topic, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            names.ForEach(DeleteQuietly);
            throw NatsErrors.Failed($"Reading topic '{topic}' on NATS failed: {Describe(ex)}", ex);
        }
        catch
        {
            names.ForEach(DeleteQuietly);
            throw;
        }
    }

    /// <summary>A new consumer name, registered for deletion on dispose; earlier attempts' names are deleted now.</summary>
    private string Register(List<string> names)
    {
        names.ForEach(DeleteQuietly);
        names.Clear();
        var name = _consumerPrefix + Guid.NewGuid().ToString("N");
        _consumers.TryAdd(name, 0);
        names.Add(name);
        return name;
    }

    /// <summary>How long the server keeps a consumer nobody pulls from (one left behind by a lost connection).</summary>
    private static readonly TimeSpan ConsumerInactiveThreshold = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Deletes a consumer that is no longer read, without waiting and without failing: the server removes it after
    /// <see cref="ConsumerInactiveThreshold"/> anyway. What is not deleted yet when the log is disposed is deleted then.
    /// </summary>
    private void DeleteQuietly(string consumer)
    {
        if (string.IsNullOrEmpty(consumer) || _disposed.IsCancellationRequested)
        {
            return; // DisposeAsync deletes what is left in _consumers
        }
        _ = Task.Run(() => DeleteAsync(consumer));
    }

    private async Task DeleteAsync(string consumer)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
            await _js.DeleteConsumerAsync(_options.StreamName, consumer, timeout.Token).ConfigureAwait(false);
            _consumers.TryRemove(consumer, out _);
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            _consumers.TryRemove(consumer, out _);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Gone with its server, or the connection is closing: the inactivity threshold removes it.
        }
    }

    /// <summary>Deletes every consumer this log created that is still listed (on dispose, while the connection is open).</summary>
    private async Task DeleteRemainingConsumersAsync()
    {
        var names = _consumers.Keys.ToList();
        if (names.Count > 0)
        {
            await Task.WhenAll(names.Select(DeleteAsync)).ConfigureAwait(false);
        }
    }
}
