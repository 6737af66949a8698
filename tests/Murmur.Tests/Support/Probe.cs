namespace Murmur.Tests.Support;

/// <summary>A thread-safe journal of what agents did; tests wait on its contents, never on time.</summary>
public sealed class Probe
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(20);
    private readonly List<string> _entries = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Add(string entry)
    {
        TaskCompletionSource changed;
        lock (_entries)
        {
            _entries.Add(entry);
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    public IReadOnlyList<string> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public int Count(string entry) => Entries.Count(e => e == entry);

    /// <summary>Waits until <paramref name="condition"/> holds over the entries, failing after a generous timeout.</summary>
    public async Task WaitForAsync(Func<IReadOnlyList<string>, bool> condition, string because, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultWait);
        while (true)
        {
            Task changed;
            lock (_entries)
            {
                if (condition(_entries))
                {
                    return;
                }
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out waiting for: {because}. Entries: {string.Join(", ", Entries)}");
            }
        }
    }

    public Task WaitForCountAsync(string entry, int count)
        => WaitForAsync(e => e.Count(x => x == entry) >= count, $"{count} x '{entry}'");
}
