using NATS.Client.Core;

namespace Murmur.Nats;

/// <summary>
/// Resending in-flight appends at once when they cannot be answered any more: the stream elected a new leader (the
/// old one, which held the request, is gone), or the connection was lost. Without this an append whose request went
/// to a server that died waits its whole <see cref="NatsEventLogOptions.RequestTimeout"/> before it is retried.
/// Resending is safe: the same <c>Nats-Msg-Id</c> is stored at most once.
/// </summary>
public sealed partial class NatsEventLog
{
    private CancellationTokenSource _resend = new();
    private Task _leaderWatch = Task.CompletedTask;

    /// <summary>Cancelled when every append in flight should be sent again.</summary>
    private CancellationToken ResendToken => Volatile.Read(ref _resend).Token;

    private void StartWatchingLeaders()
    {
        _connection.ConnectionDisconnected += OnDisconnectedAsync;
        _leaderWatch = Task.Run(WatchLeadersAsync);
    }

    private ValueTask OnDisconnectedAsync(object? sender, NatsEventArgs args)
    {
        ResendInFlight("the connection was lost");
        return ValueTask.CompletedTask;
    }

    /// <summary>Follows the stream's leader-elected advisories until the log is disposed.</summary>
    private async Task WatchLeadersAsync()
    {
        var subject = "$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED." + _options.StreamName;
        try
        {
            await foreach (var _ in _connection.SubscribeAsync<byte[]>(subject, serializer: NatsRawSerializer<byte[]>.Default, cancellationToken: _disposed.Token).ConfigureAwait(false))
            {
                ResendInFlight("the stream elected a new leader");
            }
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is NatsException or ObjectDisposedException)
        {
            NatsLogMessages.LeaderWatchEnded(_logger, _options.StreamName, ex.Message);
        }
    }

    private void ResendInFlight(string reason)
    {
        var previous = Interlocked.Exchange(ref _resend, new CancellationTokenSource());
        NatsLogMessages.ResendingInFlight(_logger, _options.StreamName, reason);
        // Not disposed: an append may still be linking its attempt to this token; it holds no timer.
        previous.Cancel();
    }
}
