using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Murmur.Nats;

/// <summary>
/// The event log on NATS JetStream: one stream, one subject per topic (<c>{prefix}.{topic}</c>), positions are
/// the stream's sequence numbers (strictly increasing per topic, with gaps where other topics' records sit),
/// appends de-duplicated by <c>Nats-Msg-Id</c> = event id, reads through server-filtered consumers.
/// </summary>
/// <remarks>Thread-safe. Create with <see cref="ConnectAsync"/>; dispose to close the connection and end followers.</remarks>
public sealed partial class NatsEventLog : IEventLog
{
    private const string MsgIdHeader = "Nats-Msg-Id";
    private readonly NatsConnection _connection;
    private readonly NatsJSContext _js;
    private readonly NatsEventLogOptions _options;
    private readonly CancellationTokenSource _disposed = new();
    private readonly INatsJSStream _stream;
    private readonly ILogger _logger;
    private readonly string _consumerPrefix = "murmur_" + Guid.NewGuid().ToString("N")[..8] + "_";
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _consumers = new(StringComparer.Ordinal);

    private NatsEventLog(NatsConnection connection, NatsJSContext js, INatsJSStream stream, NatsEventLogOptions options)
    {
        _connection = connection;
        _js = js;
        _stream = stream;
        _options = options;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Murmur.Nats");
    }

    /// <inheritdoc/>
    public string Name => "nats";

    /// <inheritdoc/>
    public int MaxRecordBytes => _options.MaxRecordBytes;

    /// <summary>The options in effect.</summary>
    public NatsEventLogOptions Options => _options;

    /// <summary>The underlying connection (for health checks and diagnostics).</summary>
    public INatsConnection Connection => _connection;

    /// <summary>Connects, checks the servers' limits, and creates or updates the stream.</summary>
    /// <exception cref="EventLogException">The servers cannot be reached, refuse the credentials, lack JetStream, or their max_payload is too small.</exception>
    public static async Task<NatsEventLog> ConnectAsync(NatsEventLogOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= NatsEventLogOptions.Default;
        options.Validate();
        var connection = new NatsConnection(NatsOptionsFactory.Create(options));
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(options.RequestTimeout * 2, cancellationToken).ConfigureAwait(false);
            var maxPayload = connection.ServerInfo?.MaxPayload ?? 0;
            if (maxPayload > 0 && maxPayload < options.MaxRecordBytes + 1024)
            {
                throw new EventLogException(
                    $"NATS servers at {options.RedactedUrl} accept payloads of at most {maxPayload} bytes, but MaxRecordBytes is {options.MaxRecordBytes}; " +
                    "raise the servers' max_payload or lower MaxRecordBytes.");
            }
            var js = new NatsJSContext(connection);
            var stream = await CreateStreamAsync(js, options, cancellationToken).ConfigureAwait(false);
            var log = new NatsEventLog(connection, js, stream, options);
            log.StartWatchingLeaders();
            return log;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not EventLogException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new EventLogException($"Cannot open the NATS event log at {options.RedactedUrl} (stream {options.StreamName}): {Describe(ex)}", ex);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates or updates the stream; retries while a freshly started cluster elects its JetStream leader.</summary>
    private static async Task<INatsJSStream> CreateStreamAsync(NatsJSContext js, NatsEventLogOptions options, CancellationToken cancellationToken)
    {
        var config = new StreamConfig(options.StreamName, [options.SubjectPrefix + ".>"])
        {
            Storage = options.Storage == NatsStorage.File ? StreamConfigStorage.File : StreamConfigStorage.Memory,
            NumReplicas = options.Replicas,
            DuplicateWindow = options.DuplicateWindow,
            AllowDirect = true,
            Discard = StreamConfigDiscard.New,
        };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await js.CreateOrUpdateStreamAsync(config, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt < 20 && ex is NatsJSApiNoResponseException or NatsNoRespondersException or TimeoutException
                or NatsJSApiException { Error.Code: 503 })
            {
                // 503 "JetStream system temporarily unavailable": the cluster is still electing its meta leader.
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 100 * attempt)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The subject of a topic.</summary>
    public string SubjectOf(string topic) => _options.SubjectPrefix + "." + topic;

    /// <inheritdoc/>
    public async ValueTask<long> AppendAsync(string topic, LogRecord record, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        LogGuard.CheckAppend(topic, record, MaxRecordBytes);
        return await PublishAsync(SubjectOf(topic), topic, record, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<long>> AppendBatchAsync(string topic, IReadOnlyList<LogRecord> records, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        ArgumentNullException.ThrowIfNull(records);
        TopicName.Validate(topic);
        foreach (var record in records)
        {
            LogGuard.CheckRecord(record, MaxRecordBytes);
        }
        // Pipelined: one connection writes publishes in call order, so the stream stores them in order;
        // the acknowledgements are awaited together.
        var subject = SubjectOf(topic);
        var pending = new Task<long>[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            pending[i] = PublishAsync(subject, topic, records[i], cancellationToken).AsTask();
        }
        return await Task.WhenAll(pending).ConfigureAwait(false);
    }

    private async ValueTask<long> PublishAsync(string subject, string topic, LogRecord record, CancellationToken cancellationToken)
    {
        var options = new NatsJSPubOpts
        {
            // JetStream de-duplicates per stream, and event ids are unique per topic: scope the id by topic.
            MsgId = topic + "/" + record.EventId,
            ExpectedStream = _options.StreamName,
            RetryAttempts = Math.Max(1, _options.AppendRetries),
            RetryWaitBetweenAttempts = TimeSpan.FromMilliseconds(250),
        };
        // Transient failures (no answer, no responders, JetStream 503 while a leader is elected, a server going away)
        // are retried here for up to AppendDeadline with the same Nats-Msg-Id, so at most one copy is stored.
        var started = TimeProvider.System.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            var resend = ResendToken;
            using var attemptStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, resend);
            try
            {
                var ack = await _js.PublishAsync(subject, record.Data, NatsRawSerializer<ReadOnlyMemory<byte>>.Default, options, cancellationToken: attemptStop.Token)
                    .ConfigureAwait(false);
                if (ack.Duplicate && ack.Seq > 0)
                {
                    return checked((long)ack.Seq); // already stored: the original position
                }
                ack.EnsureSuccess();
                return checked((long)ack.Seq);
            }
            catch (OperationCanceledException) when (resend.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                && TimeProvider.System.GetElapsedTime(started) < _options.AppendDeadline)
            {
                // A new stream leader or a new connection: this attempt's answer will not come; send it again now.
            }
            catch (Exception ex) when (IsTransient(ex) && !cancellationToken.IsCancellationRequested
                && TimeProvider.System.GetElapsedTime(started) < _options.AppendDeadline)
            {
                NatsLog.AppendRetrying(_logger, topic, record.EventId, Describe(ex), attempt, TimeProvider.System.GetElapsedTime(started).TotalSeconds);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 50 << Math.Min(attempt, 5))), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw new EventLogException(
                    $"Appending event '{record.EventId}' to topic '{topic}' on NATS failed: {Describe(ex)}. The event may or may not be stored; retrying with the same event id is safe.", ex);
            }
        }
    }

    private static bool IsTransient(Exception ex) => ex is NatsJSPublishNoResponseException or NatsNoRespondersException or TimeoutException
        or NatsJSApiNoResponseException or NatsNoReplyException or NatsJSApiException { Error.Code: 503 or 504 }
        or NatsException { InnerException: TimeoutException };

    /// <inheritdoc/>
    /// <remarks>Retries transient failures (no answer while the stream elects a leader) for up to <see cref="NatsEventLogOptions.ReadDeadline"/>.</remarks>
    public ValueTask<long> GetEndPositionAsync(string topic, CancellationToken cancellationToken = default)
        => GetEndPositionAsync(topic, retry: true, cancellationToken);

    /// <summary>The topic's last position; <paramref name="retry"/> false gives up at the first failure (a quick probe).</summary>
    internal async ValueTask<long> GetEndPositionAsync(string topic, bool retry, CancellationToken cancellationToken)
    {
        TopicName.Validate(topic);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        try
        {
            return await RetryTransientAsync(async ct =>
            {
                try
                {
                    var last = await _stream.GetAsync(new StreamMsgGetRequest { LastBySubj = SubjectOf(topic) }, ct).ConfigureAwait(false);
                    return checked((long)last.Message.Seq);
                }
                catch (NatsJSApiException ex) when (ex.Error.Code == 404)
                {
                    return 0;
                }
            }, retry ? _options.ReadDeadline : TimeSpan.Zero, topic, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new EventLogException($"Reading the end of topic '{topic}' on NATS failed: {Describe(ex)}", ex);
        }
    }

    /// <summary>
    /// Runs a read request, retrying transient failures (no answer, no responders, 503 while a leader is elected) with
    /// a growing pause for up to <paramref name="deadline"/>; anything else, or the last failure, is thrown.
    /// </summary>
    private async Task<T> RetryTransientAsync<T>(Func<CancellationToken, Task<T>> request, TimeSpan deadline, string topic, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await request(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransient(ex) && !cancellationToken.IsCancellationRequested
                && TimeProvider.System.GetElapsedTime(started) < deadline)
            {
                NatsLog.ReadRetrying(_logger, topic, Describe(ex), attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 50 << Math.Min(attempt, 5))), cancellationToken).ConfigureAwait(false);
            }
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
        // Readers end with the cancellation; the consumers they created go with the log, not 30 s later.
        await DeleteRemainingConsumersAsync().ConfigureAwait(false);
        _connection.ConnectionDisconnected -= OnDisconnectedAsync;
        await _connection.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _leaderWatch.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _disposed.Dispose();
    }

    internal static string Describe(Exception ex) => ex switch
    {
        NatsJSApiException api => $"JetStream error {api.Error.Code}/{api.Error.ErrCode}: {api.Error.Description}",
        TimeoutException => "no answer in time (are the servers up and is JetStream enabled?)",
        _ => WithCause(ex),
    };

    /// <summary>The message and, when the client wraps it, the innermost cause (e.g. the server's "Authorization Violation").</summary>
    private static string WithCause(Exception ex)
    {
        var cause = ex;
        while (cause.InnerException is { } inner)
        {
            cause = inner;
        }
        return ReferenceEquals(cause, ex) || ex.Message.Contains(cause.Message, StringComparison.Ordinal) ? ex.Message : $"{ex.Message}: {cause.Message}";
    }
}
