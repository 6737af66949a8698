using System.Runtime.CompilerServices;
using Murmur.Fleet;

namespace Murmur.Tests.Fleet;

/// <summary>A membership store that passes everything to another; a test overrides what it watches or changes (publishes).</summary>
internal class DelegatingMembershipStore(IMembershipStore inner) : IMembershipStore
{
    public virtual ValueTask PublishAsync(string node, ReadOnlyMemory<byte> announcement, CancellationToken cancellationToken = default)
        => inner.PublishAsync(node, announcement, cancellationToken);

    public ValueTask RemoveAsync(string node, CancellationToken cancellationToken = default) => inner.RemoveAsync(node, cancellationToken);

    public ValueTask<IReadOnlyList<MembershipRecord>> ReadAllAsync(CancellationToken cancellationToken = default) => inner.ReadAllAsync(cancellationToken);

    public async IAsyncEnumerable<MembershipRecord> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var record in inner.WatchAsync(cancellationToken))
        {
            yield return record;
        }
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
