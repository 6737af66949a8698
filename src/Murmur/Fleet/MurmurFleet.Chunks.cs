using System.Text;
using System.Text.Json;

namespace Murmur.Fleet;

// The list of agents a node owns, kept in the store in chunks (AgentChunk): placing agents in chunks, publishing the
// chunks that changed with the announcement, and putting other nodes' lists back together.
public sealed partial class MurmurFleet
{
    /// <summary>The most bytes of agent entries a chunk holds (less when the log's record limit is smaller).</summary>
    private const int MaxChunkBytes = 16 * 1024;

    /// <summary>A chunk's bytes besides its agents (field names, node id, numbers), with room to spare.</summary>
    private const int ChunkOverhead = 256;

    private readonly List<OwnedChunk> _chunkList = [];
    private readonly Dictionary<string, int> _chunkOf = new(StringComparer.Ordinal);
    private readonly HashSet<int> _dirtyChunks = [];
    private readonly Dictionary<(string Node, int Chunk), AgentChunk> _chunks = [];
    private int _announcedChunks = -1;

    /// <summary>The agents of one chunk of this node's list (each with its share of the chunk, in bytes), and their bytes.</summary>
    private sealed class OwnedChunk
    {
        public readonly Dictionary<string, int> Agents = new(StringComparer.Ordinal);
        public int Bytes;
    }

    /// <summary>An owned agent's share of a chunk, in bytes (its entry and a separator).</summary>
    private static int SizeOf(OwnedAgent agent) => JsonSerializer.SerializeToUtf8Bytes(agent, FleetJson.Default.OwnedAgent).Length + 1;

    /// <summary>How many bytes of agent entries one chunk may hold: what fits in a record of the log, at most <see cref="MaxChunkBytes"/>.</summary>
    private int ChunkBudget => Math.Min(MaxChunkBytes, _node.Log.MaxRecordBytes - ChunkOverhead - (6 * Encoding.UTF8.GetByteCount(NodeId)));

    /// <summary>
    /// Refuses an agent whose entry alone would not fit in a chunk of this node's agent list (a record of the log):
    /// the store would refuse it, and if this node died nobody would know to take the agent over. Checked before
    /// spawning or claiming, so a takeover this node cannot hold is left to another candidate.
    /// </summary>
    /// <exception cref="InvalidOperationException">The agent's entry would not fit.</exception>
    private void EnsureRoomFor(OwnedAgent agent)
    {
        var size = SizeOf(agent);
        var budget = ChunkBudget;
        if (size > budget)
        {
            throw new InvalidOperationException(
                $"Node '{NodeId}' cannot own agent '{agent.Agent}': its entry in the node's agent list takes {size} bytes, more than a chunk of the " +
                $"list may hold ({budget} bytes within the log's record limit of {_node.Log.MaxRecordBytes} bytes), so the store would refuse it. " +
                "Make its spec smaller (it is what the agent's kind needs to make it again), or raise the log's record limit.");
        }
        lock (_gate)
        {
            if (_chunkList.Count >= AgentChunk.MaxChunks && !_chunkList.Exists(c => c.Bytes + size <= budget))
            {
                throw new InvalidOperationException($"Node '{NodeId}' cannot own agent '{agent.Agent}': its agent list fills {AgentChunk.MaxChunks} chunks. Spread the agents over more nodes.");
            }
        }
    }

    /// <summary>
    /// Starts this run with as many (empty) chunks as the previous run under this id left, so its first publish replaces
    /// every one of them: no chunk of an older run stays in the store under a key this run counts.
    /// </summary>
    private void ReserveChunks(int count)
    {
        lock (_gate)
        {
            while (_chunkList.Count < Math.Min(count, AgentChunk.MaxChunks))
            {
                _dirtyChunks.Add(_chunkList.Count);
                _chunkList.Add(new OwnedChunk());
            }
        }
    }

    /// <summary>Puts an owned agent in the first chunk with room (a new one if none has), to be published.</summary>
    private void PlaceLocked(OwnedAgent agent)
    {
        var size = SizeOf(agent);
        var budget = ChunkBudget;
        var at = _chunkList.FindIndex(c => c.Bytes + size <= budget);
        if (at < 0)
        {
            at = _chunkList.Count;
            _chunkList.Add(new OwnedChunk());
        }
        _chunkList[at].Agents.Add(agent.Agent, size);
        _chunkList[at].Bytes += size;
        _chunkOf[agent.Agent] = at;
        _dirtyChunks.Add(at);
    }

    /// <summary>Takes an agent this node no longer owns out of its chunk, to be published.</summary>
    private void UnplaceLocked(OwnedAgent agent)
    {
        if (_chunkOf.Remove(agent.Agent, out var at))
        {
            _chunkList[at].Agents.Remove(agent.Agent, out var size);
            _chunkList[at].Bytes -= size;
            _dirtyChunks.Add(at);
        }
    }

    /// <summary>
    /// Publishes what changed of this node's agent list (one chunk per spawn or stop, not the whole list), then its
    /// announcement when the number of chunks changed, or when it leaves; what fails is published again with the next
    /// beat. Changes that pile up while a publish is on its way go out together in the next one: a caller whose change
    /// a publish that reached the store already carries returns without publishing.
    /// </summary>
    private async Task PublishAsync(CancellationToken cancellationToken, bool leaving = false)
    {
        var wanted = Interlocked.Read(ref _changes);
        await _publishing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!leaving && Interlocked.Read(ref _announced) >= wanted)
            {
                return;
            }
            Volatile.Write(ref _announcementStale, 0); // a change made from here on publishes again
            long changes;
            List<AgentChunk> chunks;
            NodeAnnouncement? announcement;
            lock (_gate)
            {
                changes = _changes;
                chunks = [.. _dirtyChunks.Order().Select(k => new AgentChunk(NodeId, Incarnation, k, [.. _chunkList[k].Agents.Keys.Order(StringComparer.Ordinal).Select(a => _owned[a].Spec)]))];
                _dirtyChunks.Clear();
                announcement = leaving || _chunkList.Count != _announcedChunks ? WireAnnouncementLocked(leaving) : null;
            }
            var published = 0;
            try
            {
                foreach (var chunk in chunks)
                {
                    await _store.PublishAsync(AgentChunk.KeyOf(NodeId, chunk.Chunk), chunk.Encode(), cancellationToken).ConfigureAwait(false);
                    published++;
                }
                if (announcement is not null)
                {
                    await _store.PublishAsync(NodeId, announcement.Encode(), cancellationToken).ConfigureAwait(false);
                    lock (_gate)
                    {
                        _announcedChunks = announcement.Chunks;
                    }
                }
                Interlocked.Exchange(ref _announced, changes);
            }
            catch
            {
                lock (_gate)
                {
                    _dirtyChunks.UnionWith(chunks.Skip(published).Select(c => c.Chunk));
                }
                Volatile.Write(ref _announcementStale, 1);
                throw;
            }
        }
        finally
        {
            _publishing.Release();
        }
    }

    /// <summary>The previous run under this node's id, with every agent it owned; null when there was none.</summary>
    private NodeAnnouncement? PreviousRun(IReadOnlyList<MembershipRecord> records)
        => AgentChunk.Read(records, NodeId) is { } mine && mine.Incarnation < Incarnation ? mine : null;

    /// <summary>A chunk of another node's agent list was stored or removed.</summary>
    private void ObserveChunk(MembershipRecord record, string node, int k)
    {
        if (string.Equals(node, NodeId, StringComparison.Ordinal))
        {
            return; // this node's own (or an older run's, read at start); a removal of one was seen by Observe
        }
        if (record.Data.IsEmpty)
        {
            lock (_gate)
            {
                _chunks.Remove((node, k));
            }
            return;
        }
        if (AgentChunk.TryDecode(record, out var problem) is not { } chunk)
        {
            FleetLogMessages.Refused(_logger, record.Node, problem!);
            return;
        }
        lock (_gate)
        {
            _chunks[(node, k)] = chunk;
        }
    }

    /// <summary>
    /// Every agent a node's announcement stands for. A chunk not read yet is missing: its agents are not taken over by
    /// this node (the node's own restart, or another candidate that read it, claims them).
    /// </summary>
    private IReadOnlyList<OwnedAgent> AgentsOfLocked(NodeAnnouncement announcement)
        => AgentChunk.AgentsOf(announcement, k => _chunks.GetValueOrDefault((announcement.Node, k)));

    /// <summary>
    /// One of this node's own records was removed (a node that could not hear it for <see cref="FleetOptions.ForgetAfter"/>
    /// took it for gone): its announcement and every chunk go out again with the next beat, so it stays visible and its
    /// agents stay known to whoever would take them over.
    /// </summary>
    private void PutBackOwnRecords()
    {
        if (_options.ObserveOnly || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        lock (_gate)
        {
            _dirtyChunks.UnionWith(Enumerable.Range(0, _chunkList.Count));
            _announcedChunks = -1;
        }
        Interlocked.Exchange(ref _announced, -1);
        Volatile.Write(ref _announcementStale, 1);
        FleetLogMessages.PutBack(_logger, NodeId);
    }

    /// <summary>Drops what this node read of a forgotten node's agent list.</summary>
    private void ForgetChunksLocked(string node)
    {
        foreach (var key in _chunks.Keys.Where(key => string.Equals(key.Node, node, StringComparison.Ordinal)).ToList())
        {
            _chunks.Remove(key);
        }
    }
}
