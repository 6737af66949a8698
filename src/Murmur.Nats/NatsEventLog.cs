using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Murmur.Logs;
using Murmur.Transport;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Murmur.Nats;

/// <summary>
/// The event log on NATS JetStream: one stream, one subject per topic (<c>{prefix}.{topic}</c>), positions are
/// the stream's sequence numbers (strictly increasing per topic, with gaps where other topics' records sit),
/// appends de-duplicated by <c>Nats-Msg-Id</c> = <c>&lt;topic&gt;/&lt;event_id&gt;</c> (event ids are unique per topic, the de-duplication window is per stream), reads through server-filtered consumers.
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
    private readonly TimeProvider _time;
    private readonly LogPipeline _appends;
    private readonly LogPipeline _reads;
    private readonly string _consumerPrefix = "murmur_" + Guid.NewGuid().ToString("N")[..8] + "_";
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _consumers = new(StringComparer.Ordinal);

    private NatsEventLog(NatsConnection connection, NatsJSContext js, INatsJSStream stream, NatsEventLogOptions options)
    {
        _connection = connection;
        _js = js;
        _stream = stream;
        _options = options;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Murmur.Nats");
        _time = options.Resilience.TimeProvider;
        var logger = _logger;
        // Appends: transient failures retried with the same Nats-Msg-Id until AppendDeadline (at most one copy is
        // stored); an attempt whose answer can no longer come (new stream leader, lost connection) is sent again at once.
        _appends = new LogPipeline(options.Resilience, ex => ex is ResendRequestedException || NatsErrors.IsTransient(ex),
            onRetry: (ex, attempt, delay, what) =>
            {
                if (ex is not ResendRequestedException)
                {
                    NatsLogMessages.AppendRetrying(logger, what, Describe(ex), attempt, delay.TotalMilliseconds);
                }
            },
            immediate: ex => ex is ResendRequestedException);
        // Reads, queries and consumer creation: retried for the call's deadline (ReadDeadline; until cancelled for a follower).
        _reads = new LogPipeline(options.Resilience, NatsErrors.IsTransient,
            onRetry: (ex, attempt, _, what) => NatsLogMessages.ReadRetrying(logger, what, Describe(ex), attempt));
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
            await connection.ConnectAsync().AsTask().WaitAsync(options.RequestTimeout * 2, options.Resilience.TimeProvider, cancellationToken).ConfigureAwait(false);
            var maxPayload = connection.ServerInfo?.MaxPayload ?? 0;
            if (maxPayload > 0 && maxPayload < options.MaxRecordBytes + 1024)
            {
                throw new EventLogException(
                    $"NATS servers at {options.RedactedUrl} accept payloads of at most {maxPayload} bytes, but MaxRecordBytes is {options.MaxRecordBytes}; " +
                    "raise the servers' max_payload or lower MaxRecordBytes.")
                { IsConfigurationError = true };
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
            throw NatsErrors.Failed($"Cannot open the NATS event log at {options.RedactedUrl} (stream {options.StreamName}): {Describe(ex)}", ex);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates or updates the stream; retries while a freshly started cluster elects its JetStream leader (503, no responders) for up to ReadDeadline.</summary>
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
        var pipeline = new LogPipeline(options.Resilience, NatsErrors.IsTransient);
        return await pipeline.ExecuteAsync(ct => js.CreateOrUpdateStreamAsync(config, ct).AsTask(), options.ReadDeadline, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The fleet's membership store: a key-value bucket <c>{stream}_FLEET</c> (one key per node, history 1, the stream's
    /// storage and replicas), created on first use.
    /// </summary>
    /// <exception cref="EventLogException">The bucket cannot be created.</exception>
    public async ValueTask<Fleet.IMembershipStore?> OpenMembershipStoreAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var config = new NATS.Client.KeyValueStore.NatsKVConfig(NatsMembershipStore.BucketFor(_options.StreamName))
        {
            History = 1,
            Storage = _options.Storage == NatsStorage.File ? NATS.Client.KeyValueStore.NatsKVStorageType.File : NATS.Client.KeyValueStore.NatsKVStorageType.Memory,
            NumberOfReplicas = _options.Replicas,
            Description = "Murmur fleet: the last announcement of each node",
        };
        try
        {
            var bucket = await RetryTransientAsync(ct => new NATS.Client.KeyValueStore.NatsKVContext(_js).CreateOrUpdateStoreAsync(config, ct).AsTask(), _options.ReadDeadline, config.Bucket, cancellationToken).ConfigureAwait(false);
            return new NatsMembershipStore(bucket, Describe, _time);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw NatsErrors.Failed($"Cannot open the fleet's membership bucket {config.Bucket} on NATS: {Describe(ex)}", ex);
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
            // One request per attempt: the log's pipeline is the only retry (no loop inside a loop).
            RetryAttempts = 1,
        };
        var maybeSent = false;
        try
        {
            return await _appends.ExecuteAsync(async token =>
            {
                var resend = ResendToken;
                using var attemptStop = CancellationTokenSource.CreateLinkedTokenSource(token, resend);
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
                catch (OperationCanceledException) when (resend.IsCancellationRequested && !token.IsCancellationRequested)
                {
                    // A new stream leader or a new connection: this attempt's answer will not come; send it again now.
                    maybeSent = true;
                    throw new ResendRequestedException();
                }
                catch (Exception ex) when (ex is not NatsNoRespondersException and not OperationCanceledException)
                {
                    maybeSent = true;
                    throw;
                }
            }, _options.AppendDeadline, cancellationToken, topic).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw NatsErrors.AppendFailed(topic, record.EventId, ex, maybeSent);
        }
    }

    /// <summary>An attempt whose answer can no longer come: it is sent again at once.</summary>
    private sealed class ResendRequestedException() : TimeoutException("the stream elected a new leader or the connection was lost while the append waited for its acknowledgement");

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
            throw NatsErrors.Failed($"Reading the end of topic '{topic}' on NATS failed: {Describe(ex)}", ex);
        }
    }

    /// <summary>
    /// Runs a read request through the read pipeline: transient failures (no answer, no responders, 503 while a leader
    /// is elected) are retried with backoff and jitter for up to <paramref name="deadline"/>; anything else, or the last
    /// failure, is thrown.
    /// </summary>
    private Task<T> RetryTransientAsync<T>(Func<CancellationToken, Task<T>> request, TimeSpan deadline, string topic, CancellationToken cancellationToken)
        => _reads.ExecuteAsync(request, deadline, cancellationToken, topic);

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
