namespace Murmur.Threading;

/// <summary>
/// Tasks that complete when a condition over their owner's state holds: the one waiter utility of the topic layer.
/// The owner calls <see cref="WaitAsync"/> and <see cref="Signal"/> while it holds the lock given at construction,
/// so a condition reads the owner's state under that lock; completions run their continuations asynchronously,
/// so signalling under the lock never runs a waiter's code there.
/// </summary>
/// <remarks>A cancelled wait is removed at once (under the same lock), so abandoned waits do not pile up.</remarks>
internal sealed class Waiters(object gate)
{
    private List<Waiter>? _items; // allocated at the first wait: most topics are never waited on
    private Exception? _failed;

    /// <summary>How many waits are pending.</summary>
    public int Count => _items?.Count ?? 0;

    /// <summary>A task that completes once <paramref name="condition"/> holds: now, or at a later <see cref="Signal"/>. Call under the gate.</summary>
    public Task WaitAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        if (condition())
        {
            return Task.CompletedTask;
        }
        if (_failed is { } failed)
        {
            return Task.FromException(failed);
        }
        cancellationToken.ThrowIfCancellationRequested();
        var waiter = new Waiter(condition);
        (_items ??= []).Add(waiter);
        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var (self, w) = ((Waiters, Waiter))state!;
                lock (self._gate)
                {
                    self._items?.Remove(w);
                }
                w.TrySetCanceled(token);
            }, (this, waiter));
        }
        return waiter.Task;
    }

    private readonly object _gate = gate;

    /// <summary>Completes every wait whose condition now holds. Call under the gate.</summary>
    public void Signal()
    {
        if (_items is not { } items)
        {
            return;
        }
        for (var i = items.Count - 1; i >= 0; i--)
        {
            var waiter = items[i];
            if (waiter.Condition())
            {
                items.RemoveAt(i);
                // Unregister, not Dispose: Dispose would wait for a callback that is blocked on the gate we hold.
                waiter.Registration.Unregister();
                waiter.TrySetResult();
            }
        }
    }

    /// <summary>Completes every wait, whatever its condition (the waiters look again themselves). Call under the gate.</summary>
    public void ReleaseAll()
    {
        if (_items is not { } items)
        {
            return;
        }
        foreach (var waiter in items)
        {
            waiter.Registration.Unregister();
            waiter.TrySetResult();
        }
        items.Clear();
    }

    /// <summary>
    /// Fails every pending wait with <paramref name="error"/>, and every later wait whose condition does not already
    /// hold: the owner will never signal again (it was disposed). Call under the gate.
    /// </summary>
    public void FailAll(Exception error)
    {
        _failed = error;
        if (_items is not { } items)
        {
            return;
        }
        foreach (var waiter in items)
        {
            waiter.Registration.Unregister();
            waiter.TrySetException(error);
        }
        items.Clear();
    }

    private sealed class Waiter(Func<bool> condition) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public Func<bool> Condition { get; } = condition;

        public CancellationTokenRegistration Registration { get; set; }
    }
}
