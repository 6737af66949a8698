using System.Security.Cryptography;
using System.Text.Json;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Security;
using Murmur.Threading;

namespace Murmur.AI.Approvals;

/// <summary>
/// One node's window on the mesh's approvals: it follows the log topic <see cref="LogTopic"/>, where tool calls that
/// need a person are requested and decided, lists what is pending, lets an agent wait for a decision, and decides
/// (approves or denies) as <see cref="Principal"/>.
/// </summary>
/// <remarks>
/// <para>Thread-safe. The first decision on a call in the log's order is the decision, on every node; a decision by a
/// principal not in <see cref="ApprovalOptions.Approvers"/>, or (with signing) not signed by that principal's node,
/// is refused with a reason (<see cref="Refused"/>). Requests and decisions are in the log, so they survive restarts:
/// a desk started later reads them all again.</para>
/// <para>Start it with <see cref="StartAsync(IEventLog, string, ApprovalOptions?, EventSigning?, TimeProvider?, CancellationToken)"/>
/// (or <c>node.StartApprovalDeskAsync()</c>) and dispose it before its log.</para>
/// </remarks>
public sealed class ApprovalDesk : IAsyncDisposable
{
    /// <summary>The log topic of requests and decisions, one per mesh.</summary>
    public const string LogTopic = "murmur-approvals";

    private readonly object _gate = new();
    private readonly Waiters _waiters;
    private readonly IEventLog _log;
    private readonly ApprovalLedger _ledger;
    private readonly IEventSigner? _signer;
    private readonly IDisposable? _keys;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private Task _reading = Task.CompletedTask;
    private Exception? _failure;

    private ApprovalDesk(IEventLog log, string principal, ApprovalOptions options, EventSigning? signing, TimeProvider time)
    {
        _log = log;
        Principal = principal;
        Options = options;
        _time = time;
        _waiters = new Waiters(_gate);
        IEventVerifier? verifier = null;
        if (signing is not null)
        {
            if (signing.Algorithm == SigningAlgorithm.EcdsaP256Sha256)
            {
                var ecdsa = new EcdsaEventSigner(signing);
                (_signer, verifier, _keys) = (ecdsa, ecdsa, ecdsa);
            }
            else
            {
                var hmac = new HmacEventSigner(signing);
                (_signer, verifier) = (hmac, hmac);
            }
        }
        _ledger = new ApprovalLedger(options, verifier);
    }

    /// <summary>Who this desk decides as: with signing, the node of its key.</summary>
    public string Principal { get; }

    /// <summary>Who may decide and how long requests wait.</summary>
    public ApprovalOptions Options { get; }

    /// <summary>The requests without a decision, oldest first.</summary>
    public IReadOnlyList<ApprovalRequest> Pending
    {
        get
        {
            lock (_gate)
            {
                return _ledger.Pending;
            }
        }
    }

    /// <summary>Why the latest refused entries of the approvals topic were refused (each names its position).</summary>
    public IReadOnlyList<string> Refused
    {
        get
        {
            lock (_gate)
            {
                return _ledger.Refused;
            }
        }
    }

    /// <summary>
    /// Starts a desk on <paramref name="log"/>: reads the approvals topic to its end before returning, then follows it.
    /// </summary>
    /// <param name="log">The mesh's log.</param>
    /// <param name="principal">Who this desk decides as; with <paramref name="signing"/>, its key's node is used instead.</param>
    /// <param name="options">Approvers and timeout; <see cref="ApprovalOptions.Default"/> when null.</param>
    /// <param name="signing">Signs what the desk appends and verifies what it reads; null when events are not signed.</param>
    /// <param name="timeProvider">The clock of expiries; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<ApprovalDesk> StartAsync(IEventLog log, string principal, ApprovalOptions? options = null, EventSigning? signing = null,
        TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentException.ThrowIfNullOrEmpty(principal);
        options ??= ApprovalOptions.Default;
        options.Validate();
        var desk = new ApprovalDesk(log, signing is null ? principal : EventSigning.NodeOf(signing.KeyId), options, signing, timeProvider ?? TimeProvider.System);
        try
        {
            desk._reading = desk.ReadAsync();
            await desk.CatchUpAsync(cancellationToken).ConfigureAwait(false);
            return desk;
        }
        catch
        {
            await desk.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The request for <paramref name="callId"/>, or null when none was made.</summary>
    public ApprovalRequest? RequestOf(string callId)
    {
        lock (_gate)
        {
            return _ledger.RequestOf(callId);
        }
    }

    /// <summary>The decision on <paramref name="callId"/>, or null while there is none.</summary>
    public ApprovalDecision? DecisionOf(string callId)
    {
        lock (_gate)
        {
            return _ledger.DecisionOf(callId);
        }
    }

    /// <summary>The position of the approvals topic the desk has read to.</summary>
    public long Position
    {
        get
        {
            lock (_gate)
            {
                return _ledger.Position;
            }
        }
    }

    /// <summary>Waits until the desk has read past <paramref name="seen"/> (something new arrived), and returns the new position.</summary>
    public async Task<long> WaitForChangeAsync(long seen, CancellationToken cancellationToken = default)
    {
        await WaitAsync(() => _ledger.Position > seen, cancellationToken).ConfigureAwait(false);
        return Position;
    }

    /// <summary>Waits until the desk has read the approvals topic at least to its current end.</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken = default)
    {
        var end = await _log.GetEndPositionAsync(LogTopic, cancellationToken).ConfigureAwait(false);
        await WaitAsync(() => _ledger.Position >= end, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until the desk has read the request for <paramref name="callId"/>, and returns it.</summary>
    public async Task<ApprovalRequest> WaitForRequestAsync(string callId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(callId);
        await WaitAsync(() => _ledger.RequestOf(callId) is not null, cancellationToken).ConfigureAwait(false);
        return RequestOf(callId)!;
    }

    /// <summary>Appends a request for a call (once: a call already requested keeps its first request) and returns it.</summary>
    /// <exception cref="EventLogException">The log refused the append.</exception>
    public async Task<ApprovalRequest> RequestAsync(string callId, string topic, string actor, string tool, JsonElement arguments, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(callId);
        if (RequestOf(callId) is { } earlier)
        {
            return earlier;
        }
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long? expires = Options.Timeout is { } timeout ? now + (long)timeout.TotalMilliseconds : null;
        var payload = JsonObjects.Build(w =>
        {
            w.WriteString("call_id", callId);
            w.WriteString("topic", topic);
            w.WriteString("tool", tool);
            w.WritePropertyName("args");
            arguments.WriteTo(w);
            w.WriteString("reason", reason);
            if (expires is { } at)
            {
                w.WriteNumber("expires_at", at);
            }
        });
        await AppendAsync(actor, ApprovalActions.Requested, payload, cancellationToken).ConfigureAwait(false);
        await WaitAsync(() => _ledger.RequestOf(callId) is not null, cancellationToken).ConfigureAwait(false);
        return RequestOf(callId)!;
    }

    /// <summary>Approves a pending call as <see cref="Principal"/>; returns the decision that stands (another may have come first).</summary>
    /// <exception cref="InvalidOperationException">No request for the call, it is decided already, or <see cref="Principal"/> is not an approver.</exception>
    public Task<ApprovalDecision> ApproveAsync(string callId, string? reason = null, CancellationToken cancellationToken = default)
        => DecideAsync(callId, ApprovalActions.Approved, reason, cancellationToken);

    /// <summary>Denies a pending call as <see cref="Principal"/>; the agent gets <paramref name="reason"/> as the tool's result.</summary>
    /// <exception cref="InvalidOperationException">No request for the call, it is decided already, or <see cref="Principal"/> is not an approver.</exception>
    public Task<ApprovalDecision> DenyAsync(string callId, string reason, CancellationToken cancellationToken = default)
        => DecideAsync(callId, ApprovalActions.Denied, reason, cancellationToken);

    /// <summary>
    /// Waits for the decision on <paramref name="request"/>. When it expires first, appends <c>APPROVAL_EXPIRED</c>;
    /// either way returns the decision that comes first in the log.
    /// </summary>
    public async Task<ApprovalDecision> WaitForDecisionAsync(ApprovalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var decided = WaitAsync(() => _ledger.DecisionOf(request.CallId) is not null, cancellationToken);
        if (request.ExpiresAt is { } expires)
        {
            var left = DateTimeOffset.FromUnixTimeMilliseconds(expires) - _time.GetUtcNow();
            using var expiry = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var timer = left > TimeSpan.Zero ? Task.Delay(left, _time, expiry.Token) : Task.CompletedTask;
            if (await Task.WhenAny(decided, timer).ConfigureAwait(false) == timer && !decided.IsCompleted)
            {
                await timer.ConfigureAwait(false); // cancellation surfaces here
                var payload = JsonObjects.Build(w => w.WriteString("call_id", request.CallId));
                await AppendAsync(Principal, ApprovalActions.Expired, payload, cancellationToken).ConfigureAwait(false);
            }
            await expiry.CancelAsync().ConfigureAwait(false);
        }
        await decided.ConfigureAwait(false);
        return DecisionOf(request.CallId)!;
    }

    private async Task<ApprovalDecision> DecideAsync(string callId, string action, string? reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(callId);
        if (RequestOf(callId) is null)
        {
            throw new InvalidOperationException($"no approval was requested for call '{callId}' (see the pending ones with 'murmur approvals')");
        }
        if (DecisionOf(callId) is { } decided)
        {
            throw new InvalidOperationException($"call '{callId}' was already decided: {decided.Outcome} by {decided.Principal}");
        }
        if (!Options.MayDecide(Principal))
        {
            throw new InvalidOperationException($"'{Principal}' is not an approver (approvers: {string.Join(", ", Options.Approvers ?? [])})");
        }
        var payload = JsonObjects.Build(w =>
        {
            w.WriteString("call_id", callId);
            if (reason is not null)
            {
                w.WriteString("reason", reason);
            }
        });
        await AppendAsync(Principal, action, payload, cancellationToken).ConfigureAwait(false);
        await WaitAsync(() => _ledger.DecisionOf(callId) is not null, cancellationToken).ConfigureAwait(false);
        return DecisionOf(callId)!;
    }

    private async Task AppendAsync(string actor, string action, byte[] payload, CancellationToken cancellationToken)
    {
        var id = "apr_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var e = new AgentEvent(id, actor, action, payload, VectorClock.Empty) { Topic = LogTopic, Timestamp = _time.GetUtcNow().ToUnixTimeMilliseconds() };
        e = _signer?.Sign(e) ?? e;
        await _log.AppendAsync(LogTopic, new LogRecord(id, AgentEventCodec.Encode(e)), cancellationToken).ConfigureAwait(false);
    }

    private async Task ReadAsync()
    {
        await Task.Yield();
        try
        {
            await foreach (var entry in _log.ReadAsync(LogTopic, 1, follow: true, _stop.Token).ConfigureAwait(false))
            {
                lock (_gate)
                {
                    _ledger.Apply(entry);
                    _waiters.Signal();
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                _failure = ex;
                _waiters.Signal();
            }
        }
    }

    /// <summary>Waits until <paramref name="ready"/> holds (checked under the lock after each entry applied); fails when reading failed.</summary>
    private async Task WaitAsync(Func<bool> ready, CancellationToken cancellationToken)
    {
        Task wait;
        lock (_gate)
        {
            wait = _waiters.WaitAsync(() => _failure is not null || ready(), cancellationToken);
        }
        await wait.ConfigureAwait(false);
        if (_failure is { } failure)
        {
            throw new InvalidOperationException($"the approvals desk stopped reading '{LogTopic}': {failure.Message}", failure);
        }
    }

    /// <summary>Stops following the topic; callers still waiting get an <see cref="InvalidOperationException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _reading.ConfigureAwait(false);
        lock (_gate)
        {
            _failure ??= new ObjectDisposedException(nameof(ApprovalDesk), "the desk was disposed");
            _waiters.Signal();
        }
        _keys?.Dispose();
        _stop.Dispose();
    }
}
