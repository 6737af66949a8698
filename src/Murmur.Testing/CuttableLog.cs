using System.Runtime.CompilerServices;
using Murmur.Fleet;
using Murmur.Logs;

namespace Murmur.Testing;

/// <summary>
/// A node's link to a shared log whose membership store can be cut, for fleet tests: while cut, the node's heartbeats
/// and announcements stop reaching the others (its events still flow), as in a partition of the membership layer;
/// <see cref="Restore"/> heals it. <see cref="Hold"/> delays the other way: the store's records stop reaching the node
/// and queue until <see cref="Release"/>, as over a slow route to the store.
/// </summary>
/// <remarks>Disposing it leaves the shared log open: the test owns that log (<see cref="Inner"/>) and disposes it once.</remarks>
public sealed class CuttableLog(IEventLog inner) : DelegatingEventLog(inner)
{
    private readonly Lock _gate = new();
    private volatile bool _cut;
    private TaskCompletionSource _delivering = Open();

    /// <summary>The shared log this link forwards to.</summary>
    public IEventLog Inner => InnerLog;

    /// <summary>Stops the node's announcements from reaching the membership store.</summary>
    public void Cut() => _cut = true;

    /// <summary>Lets the node's announcements reach the store again (a healed partition, a store that answers again).</summary>
    public void Restore() => _cut = false;

    /// <summary>Holds the store's records (the node's own announcements among them) back from the node until <see cref="Release"/>.</summary>
    public void Hold()
    {
        lock (_gate)
        {
            if (_delivering.Task.IsCompleted)
            {
                _delivering = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Delivers the records held back since <see cref="Hold"/>, in order, and every later one at once.</summary>
    public void Release()
    {
        lock (_gate)
        {
            _delivering.TrySetResult();
        }
    }

    private Task Delivering
    {
        get
        {
            lock (_gate)
            {
                return _delivering.Task;
            }
        }
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    /// <inheritdoc/>
    public override async ValueTask<IMembershipStore?> OpenMembershipStoreAsync(CancellationToken cancellationToken = default)
        => await base.OpenMembershipStoreAsync(cancellationToken).ConfigureAwait(false) is { } store ? new Store(store, this) : null;

    /// <summary>Leaves the shared log open (see the remarks).</summary>
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Store(IMembershipStore inner, CuttableLog link) : IMembershipStore
    {
        public ValueTask PublishAsync(string node, ReadOnlyMemory<byte> announcement, CancellationToken cancellationToken = default)
            => link._cut ? ValueTask.CompletedTask : inner.PublishAsync(node, announcement, cancellationToken);

        public ValueTask RemoveAsync(string node, CancellationToken cancellationToken = default)
            => link._cut ? ValueTask.CompletedTask : inner.RemoveAsync(node, cancellationToken);

        public ValueTask<IReadOnlyList<MembershipRecord>> ReadAllAsync(CancellationToken cancellationToken = default) => inner.ReadAllAsync(cancellationToken);

        public async IAsyncEnumerable<MembershipRecord> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var record in inner.WatchAsync(cancellationToken).ConfigureAwait(false))
            {
                await link.Delivering.WaitAsync(cancellationToken).ConfigureAwait(false);
                yield return record;
            }
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
