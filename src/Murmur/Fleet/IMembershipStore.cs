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

    /// <summary>The last announcement of every node, then every new one as it is published, until cancelled.</summary>
    IAsyncEnumerable<MembershipRecord> WatchAsync(CancellationToken cancellationToken = default);
}
