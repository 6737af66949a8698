using Murmur.Fleet;
using Murmur.Logs;

namespace Murmur.Benchmarks.Fleet;

/// <summary>
/// Follows a log's membership store and keeps the last announcement of each node, so the bench can wait for one: a
/// node that has beaten a few times (the survivors know its rhythm), or one that lists an agent it owns.
/// </summary>
internal sealed class MembershipWatch : IAsyncDisposable
{
    private readonly IMembershipStore _store;
    private readonly Dictionary<string, NodeAnnouncement> _last = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Node, int Chunk), AgentChunk> _chunks = [];
    private readonly List<(Func<NodeAnnouncement, bool> Match, TaskCompletionSource<NodeAnnouncement> Found)> _waiters = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watching;

    private MembershipWatch(IMembershipStore store)
    {
        _store = store;
        _watching = WatchAsync();
    }

    public static async Task<MembershipWatch> StartAsync(IEventLog log)
        => new(await log.OpenMembershipStoreAsync() ?? throw new InvalidOperationException("the log has no membership store"));

    /// <summary>The first announcement (the last one stored, or a later one) that matches.</summary>
    public async Task<NodeAnnouncement> WaitAsync(Func<NodeAnnouncement, bool> match, TimeSpan timeout, string what)
    {
        var found = new TaskCompletionSource<NodeAnnouncement>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_last)
        {
            if (_last.Values.FirstOrDefault(match) is { } known)
            {
                return known;
            }
            _waiters.Add((match, found));
        }
        try
        {
            return await found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no announcement of {what} within {timeout.TotalSeconds:0} s");
        }
    }

    /// <summary>The announcement with the agents of the chunks of its incarnation that were read (the store keeps the list apart).</summary>
    private NodeAnnouncement WithChunks(NodeAnnouncement announcement)
        => announcement with { Agents = AgentChunk.AgentsOf(announcement with { Agents = [] }, k => _chunks.GetValueOrDefault((announcement.Node, k))) };

    private async Task WatchAsync()
    {
        await Task.Yield();
        try
        {
            await foreach (var record in _store.WatchAsync(_stop.Token))
            {
                // Records are untrusted: one that is neither an announcement nor a beat is not one we wait for. A beat
                // moves the counter of the announcement of its run.
                NodeAnnouncement? announcement;
                if (AgentChunk.TryParseKey(record.Node, out var chunkOf, out var k))
                {
                    // A chunk of a node's agent list: its announcement, known already, now lists them.
                    if (AgentChunk.TryDecode(record, out _) is not { } chunk)
                    {
                        continue;
                    }
                    lock (_last)
                    {
                        _chunks[(chunkOf, k)] = chunk;
                        if (!_last.TryGetValue(chunkOf, out var known))
                        {
                            continue;
                        }
                        announcement = known;
                    }
                }
                else if (NodeBeat.IsBeatKey(record.Node))
                {
                    if (NodeBeat.TryDecode(record, out _) is not { } beat)
                    {
                        continue;
                    }
                    lock (_last)
                    {
                        if (!_last.TryGetValue(beat.Node, out var known) || known.Incarnation != beat.Incarnation)
                        {
                            continue;
                        }
                        announcement = known with { Beat = beat.Beat };
                    }
                }
                else if (NodeAnnouncement.TryDecode(record, out _) is not { } decoded)
                {
                    continue;
                }
                else
                {
                    announcement = decoded;
                }
                lock (_last)
                {
                    announcement = WithChunks(announcement);
                    _last[announcement.Node] = announcement;
                    for (var i = _waiters.Count - 1; i >= 0; i--)
                    {
                        if (_waiters[i].Match(announcement))
                        {
                            _waiters[i].Found.TrySetResult(announcement);
                            _waiters.RemoveAt(i);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            lock (_last)
            {
                foreach (var (_, waiter) in _waiters)
                {
                    waiter.TrySetException(ex);
                }
                _waiters.Clear();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watching;
        await _store.DisposeAsync();
        _stop.Dispose();
    }
}
