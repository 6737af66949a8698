namespace Murmur;

/// <summary>
/// Reads a topic's log for its node: screens each record (<see cref="EventScreen"/>), offers what passes to the topic,
/// refuses the rest as dead letters, and tracks how far it has read (waiters on a position).
/// </summary>
internal sealed class TopicReader
{
    private readonly TopicHost _host;
    private readonly EventScreen _screen;
    private readonly object _positionGate = new();
    private readonly Waiters _positionWaiters;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private long _position;

    public TopicReader(TopicHost host)
    {
        _host = host;
        var node = host.Node;
        _screen = new EventScreen(host.Name, node.Options.EventLimits, node.Verifier);
        _positionWaiters = new Waiters(_positionGate);
    }

    /// <summary>The last log position read.</summary>
    public long Position => Interlocked.Read(ref _position);

    /// <summary>Starts following the log from its start.</summary>
    public void Start() => _loop = Task.Run(ReadLoopAsync);

    /// <summary>Waits until the reader has read at least to <paramref name="position"/>.</summary>
    public Task WaitReadAsync(long position, CancellationToken cancellationToken)
    {
        lock (_positionGate)
        {
            return _positionWaiters.WaitAsync(() => Volatile.Read(ref _position) >= position, cancellationToken);
        }
    }

    /// <summary>Waits until the reader has read the log at least to its current end.</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        var end = await _host.Node.Log.GetEndPositionAsync(_host.Name, cancellationToken).ConfigureAwait(false);
        await WaitReadAsync(end, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Follows the log from the start; a transport error is logged and the read resumes where it stopped.</summary>
    private async Task ReadLoopAsync()
    {
        var next = 1L;
        var failures = 0;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await foreach (var entry in _host.Node.Log.ReadAsync(_host.Name, next, follow: true, _stop.Token).ConfigureAwait(false))
                {
                    await _host.WaitForRoomAsync(null, _stop.Token).ConfigureAwait(false);
                    Process(entry);
                    next = entry.Position + 1;
                    failures = 0;
                }
            }
            catch (Exception ex) when (_stop.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                TopicLog.ReadFailed(_host.Node.Logger, _host.Name, next, ex);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 50 * failures)), _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Screens one record and offers it; then the read position moves past it.</summary>
    public void Process(in LogEntry entry)
    {
        if (_screen.Screen(entry, out var refusal) is { } @event)
        {
            _host.Admit(@event, entry.Position);
        }
        else
        {
            _host.Refuse(entry.Position, string.IsNullOrEmpty(entry.EventId) ? null : entry.EventId, refusal!, DeadLetterStore.ExcerptOf(entry.Data.Span));
        }
        lock (_positionGate)
        {
            Volatile.Write(ref _position, entry.Position);
            _positionWaiters.Signal();
        }
    }

    /// <summary>Stops reading.</summary>
    public async ValueTask StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
        }
        _stop.Dispose();
    }
}
