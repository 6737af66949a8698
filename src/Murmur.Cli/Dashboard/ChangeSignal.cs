using Murmur.Threading;

namespace Murmur.Cli.Dashboard;

/// <summary>
/// A version number that waiters watch: <see cref="Notify"/> bumps it and wakes everyone waiting on an older one. The
/// dashboard's streams wait on it for topic changes. Built on the topic layer's waiter utility (shared source).
/// </summary>
/// <remarks>Thread-safe; completions run their continuations asynchronously, so a notifier never runs a waiter's code.</remarks>
internal sealed class ChangeSignal
{
    private readonly object _gate = new();
    private readonly Waiters _waiters;
    private long _version;

    public ChangeSignal() => _waiters = new Waiters(_gate);

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
        lock (_gate)
        {
            _version++;
            _waiters.Signal();
        }
    }

    /// <summary>Waits until the version is past <paramref name="seen"/>, and returns the new version.</summary>
    public async Task<long> WaitForChangeAsync(long seen, CancellationToken cancellationToken = default)
    {
        Task changed;
        lock (_gate)
        {
            changed = _waiters.WaitAsync(() => _version > seen, cancellationToken);
        }
        await changed.ConfigureAwait(false);
        return Version;
    }
}
