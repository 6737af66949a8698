using Murmur.Logs;

namespace Murmur.Fleet;

/// <summary>
/// Where the nodes of a mesh announce themselves and beat: the last announcement of each node is kept and nothing else,
/// so storage does not grow with time (in memory: a map; NATS: a subject per node keeping one message; Kafka: a
/// compacted topic keyed by node). Records are opaque bytes here; <see cref="MurmurFleet"/> validates them, since a
/// reader must not trust what another node wrote.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public interface IMembershipStore : IAsyncDisposable
{
    /// <summary>Replaces <paramref name="node"/>'s announcement.</summary>
    /// <exception cref="EventLogException">The transport failed.</exception>
    ValueTask PublishAsync(string node, ReadOnlyMemory<byte> announcement, CancellationToken cancellationToken = default);

    /// <summary>The last announcement of every node.</summary>
    /// <exception cref="EventLogException">The transport failed.</exception>
    ValueTask<IReadOnlyList<MembershipRecord>> ReadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes <paramref name="node"/>'s record: a node gone for good (it left, or was declared down) is forgotten, so the
    /// store holds the nodes of the recent past, not every node that ever ran. Removing what is not there does nothing.
    /// </summary>
    /// <exception cref="EventLogException">The transport failed.</exception>
    ValueTask RemoveAsync(string node, CancellationToken cancellationToken = default);

    /// <summary>
    /// The last announcement of every node, then every new one as it is published, until cancelled. A record with empty
    /// <see cref="MembershipRecord.Data"/> says the node's record was removed (<see cref="RemoveAsync"/>).
    /// </summary>
    IAsyncEnumerable<MembershipRecord> WatchAsync(CancellationToken cancellationToken = default);
}
