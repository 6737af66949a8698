using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Murmur.Fleet;

/// <summary>The membership store of the in-memory log: the last announcement per node, and live watchers.</summary>
internal sealed class InMemoryMembershipStore : IMembershipStore
{
    private readonly Dictionary<string, ReadOnlyMemory<byte>> _last = new(StringComparer.Ordinal);
    private readonly List<Channel<MembershipRecord>> _watchers = [];

    public ValueTask PublishAsync(string node, ReadOnlyMemory<byte> announcement, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        var copy = announcement.ToArray();
        lock (_last)
        {
            _last[node] = copy;
            foreach (var watcher in _watchers)
            {
                // Unbounded: a watcher that falls behind only delays its own view; records are small and replaced.
                watcher.Writer.TryWrite(new MembershipRecord(node, copy));
            }
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask RemoveAsync(string node, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        lock (_last)
        {
            if (_last.Remove(node))
            {
                foreach (var watcher in _watchers)
                {
                    watcher.Writer.TryWrite(new MembershipRecord(node, ReadOnlyMemory<byte>.Empty));
                }
            }
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<MembershipRecord>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        lock (_last)
        {
            return ValueTask.FromResult<IReadOnlyList<MembershipRecord>>([.. _last.Select(p => new MembershipRecord(p.Key, p.Value))]);
        }
    }

    public async IAsyncEnumerable<MembershipRecord> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<MembershipRecord>(new UnboundedChannelOptions { SingleReader = true });
        lock (_last)
        {
            // Under the lock: the current records come first, and no publish falls between them and the live ones.
            foreach (var (node, data) in _last)
            {
                channel.Writer.TryWrite(new MembershipRecord(node, data));
            }
            _watchers.Add(channel);
        }
        try
        {
            await foreach (var record in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return record;
            }
        }
        finally
        {
            lock (_last)
            {
                _watchers.Remove(channel);
            }
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
