using Murmur.Events;

namespace Murmur.Topics;

/// <summary>
/// Who owns each agent of a topic at which epoch, learnt from the log: epoch 1 is the node its first <c>JOIN</c> names,
/// each accepted <c>CLAIM</c> the next one. An event is judged by its position: it is fenced when a claim of a later
/// epoch precedes it in the log, so every node — and every re-read of the log — decides the same way.
/// </summary>
/// <remarks>Not thread-safe: its <see cref="EventScreen"/> serializes access.</remarks>
internal sealed class OwnershipFence
{
    private readonly Dictionary<string, Owners> _actors = new(StringComparer.Ordinal);

    private sealed class Owners
    {
        public string? JoinNode;
        public bool JoinSeen;
        public readonly List<(long Position, ulong Epoch, string Node)> Claims = [];

        public Owners Clone()
        {
            var copy = new Owners { JoinNode = JoinNode, JoinSeen = JoinSeen };
            copy.Claims.AddRange(Claims);
            return copy;
        }

        /// <summary>The latest claim before <paramref name="position"/> (epoch 1, the joiner, when none).</summary>
        public (ulong Epoch, string? Node, long Position) At(long position)
        {
            (ulong, string?, long) current = (1, JoinNode, 0);
            foreach (var (at, epoch, node) in Claims)
            {
                if (at >= position)
                {
                    break;
                }
                current = (epoch, node, at);
            }
            return current;
        }
    }

    public OwnershipFence Clone()
    {
        var copy = new OwnershipFence();
        foreach (var (actor, owners) in _actors)
        {
            copy._actors[actor] = owners.Clone();
        }
        return copy;
    }

    /// <summary>A <c>JOIN</c>: its node owns the actor at epoch 1 (only the first one counts).</summary>
    public void OnJoin(string actor, string? node)
    {
        var owners = Get(actor);
        if (!owners.JoinSeen)
        {
            owners.JoinSeen = true;
            owners.JoinNode = node;
        }
    }

    /// <summary>Learns owners from a checkpoint (a node that starts mid-log never reads the JOINs).</summary>
    public void OnCheckpointOwner(string actor, string node) => Get(actor).JoinNode ??= node;

    /// <summary>A <c>CLAIM</c> at <paramref name="position"/>; returns the refusal, or null when it is the next epoch's first claim.</summary>
    public string? OnClaim(AgentEvent claim, long position)
    {
        if (ClaimPayload.TryRead(claim, out var problem) is not { } payload)
        {
            return $"claim: {problem}";
        }
        var owners = Get(claim.Actor);
        if (owners.Claims.Exists(c => c.Position == position))
        {
            return null; // read again (a replay of the log)
        }
        var (epoch, node, at) = owners.At(position);
        if (payload.Epoch != epoch + 1)
        {
            return payload.Epoch <= epoch
                ? $"claim: epoch {payload.Epoch} of '{claim.Actor}' was already claimed by node '{node}' (position {at}); the first claim in the log wins"
                : $"claim: epoch {payload.Epoch} of '{claim.Actor}' skips epoch {epoch + 1} (the current epoch is {epoch})";
        }
        var index = owners.Claims.FindIndex(c => c.Position > position);
        owners.Claims.Insert(index < 0 ? owners.Claims.Count : index, (position, payload.Epoch, payload.Node));
        return null;
    }

    /// <summary>Why an event of an owned actor at <paramref name="position"/> is refused, or null when its epoch is the current one.</summary>
    public string? Check(AgentEvent @event, long position)
    {
        if (!_actors.TryGetValue(@event.Actor, out var owners))
        {
            return null; // no JOIN seen (a checkpoint start): nothing to fence against
        }
        var written = @event.Epoch ?? 1;
        var (epoch, node, at) = owners.At(position);
        if (written < epoch)
        {
            return $"fenced: '{@event.Actor}' wrote at epoch {written}, but node '{node}' claimed epoch {epoch} at position {at} (a zombie owner)";
        }
        if (written > epoch && owners.JoinSeen)
        {
            return $"epoch: '{@event.Actor}' wrote at epoch {written}, which was never claimed before position {position} (the current epoch is {epoch})";
        }
        return null;
    }

    /// <summary>The node owning <paramref name="actor"/> at <paramref name="epoch"/>, when known.</summary>
    public string? NodeAt(string actor, ulong epoch)
    {
        if (!_actors.TryGetValue(actor, out var owners))
        {
            return null;
        }
        return epoch <= 1 ? owners.JoinNode : owners.Claims.Find(c => c.Epoch == epoch).Node;
    }

    /// <summary>The current owner and epoch of <paramref name="actor"/> (after every claim read so far).</summary>
    public (string? Node, ulong Epoch) Current(string actor)
    {
        if (!_actors.TryGetValue(actor, out var owners))
        {
            return (null, 1);
        }
        var (epoch, node, _) = owners.At(long.MaxValue);
        return (node, epoch);
    }

    /// <summary>Every (agent, epoch) owner known.</summary>
    public Dictionary<(string Agent, ulong Epoch), string> All()
    {
        var all = new Dictionary<(string Agent, ulong Epoch), string>();
        foreach (var (actor, owners) in _actors)
        {
            if (owners.JoinNode is { } joiner)
            {
                all[(actor, 1)] = joiner;
            }
            foreach (var (_, epoch, node) in owners.Claims)
            {
                all[(actor, epoch)] = node;
            }
        }
        return all;
    }

    private Owners Get(string actor)
    {
        if (!_actors.TryGetValue(actor, out var owners))
        {
            owners = new Owners();
            _actors[actor] = owners;
        }
        return owners;
    }
}
