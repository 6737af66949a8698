using Murmur.Topics;

namespace Murmur.Cli.Demo;

/// <summary>Shows a topic's events while a run goes on, from a background task; disposing stops it and waits for it to finish.</summary>
internal abstract class TopicWatcher : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _watching = Task.CompletedTask;
    private bool _disposed;

    /// <summary>Starts showing <paramref name="topic"/> until disposed.</summary>
    public void Watch(Topic topic) => _watching = Task.Run(() => WatchAsync(topic, _stop.Token));

    /// <summary>Shows the topic until <paramref name="stop"/> is cancelled (and may then show its final state).</summary>
    protected abstract Task WatchAsync(Topic topic, CancellationToken stop);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _stop.Cancel();
        try
        {
            _watching.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
