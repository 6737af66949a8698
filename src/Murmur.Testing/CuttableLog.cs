using Murmur.Fleet;
using Murmur.Logs;

namespace Murmur.Testing;

/// <summary>
/// A node's link to a shared log whose membership store can be cut, for fleet tests: while cut, the node's heartbeats
/// and announcements stop reaching the others (its events still flow), as in a partition of the membership layer;
/// <see cref="Restore"/> heals it.
/// </summary>
/// <remarks>Disposing it leaves the shared log open: the test owns that log (<see cref="Inner"/>) and disposes it once.</remarks>
public sealed class CuttableLog(IEventLog inner) : DelegatingEventLog(inner)
{
    private volatile bool _cut;

    /// <summary>The shared log this link forwards to.</summary>
    public IEventLog Inner => InnerLog;

    /// <summary>Stops the node's announcements from reaching the membership store.</summary>
    public void Cut() => _cut = true;

    /// <summary>Lets the node's announcements reach the store again (a healed partition, a store that answers again).</summary>
    public void Restore() => _cut = false;

    /// <inheritdoc/>
    public override async ValueTask<IMembershipStore?> OpenMembershipStoreAsync(CancellationToken cancellationToken = default)
        => await base.OpenMembershipStoreAsync(cancellationToken).ConfigureAwait(false) is { } store ? new Store(store, this) : null;

    /// <summary>Leaves the shared log open (see the remarks).</summary>
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Store(IMembershipStore inner, CuttableLog link) : IMembershipStore
    {
        public ValueTask PublishAsync(string node, ReadOnlyMemory<byte> announcement, CancellationToken cancellationToken = default)
            => link._cut ? ValueTask.CompletedTask : inner.PublishAsync(node, announcement, cancellationToken);

        public ValueTask<IReadOnlyList<MembershipRecord>> ReadAllAsync(CancellationToken cancellationToken = default) => inner.ReadAllAsync(cancellationToken);

        public IAsyncEnumerable<MembershipRecord> WatchAsync(CancellationToken cancellationToken = default) => inner.WatchAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
