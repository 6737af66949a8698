namespace Murmur.Cli.Dashboard;

/// <summary>
/// A version number that waiters watch: <see cref="Notify"/> bumps it and wakes everyone waiting on an older one. The
/// dashboard's streams wait on it for topic changes (the CLI cannot use the core's internal waiter utility).
/// </summary>
/// <remarks>Thread-safe; completions run their continuations asynchronously, so a notifier never runs a waiter's code.</remarks>
internal sealed class ChangeSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;

    /// <summary>The current version: how many changes there were.</summary>
    public long Version
    {
        get
        {
            lock (_gate)
            {
                return _version;
            }
        }
    }

    /// <summary>Records a change and wakes the waiters.</summary>
    public void Notify()
    {
        TaskCompletionSource woken;
        lock (_gate)
        {
            _version++;
            woken = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        woken.TrySetResult();
    }

    /// <summary>Waits until the version is past <paramref name="seen"/>, and returns the new version.</summary>
    public async Task<long> WaitForChangeAsync(long seen, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task next;
            lock (_gate)
            {
                if (_version > seen)
                {
                    return _version;
                }
                next = _next.Task;
            }
            await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
