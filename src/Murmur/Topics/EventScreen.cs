using Murmur.Events;
using Murmur.Logs;
using Murmur.Security;

namespace Murmur.Topics;

/// <summary>
/// What every record read from a topic's log goes through before it is offered for delivery: decoding against the
/// node's limits, the topic it names, and — when the node verifies signatures — the signature and actor ownership
/// (an actor belongs to the node its first <c>JOIN</c> names, which must be the node that signed that <c>JOIN</c>).
/// </summary>
/// <remarks>Anything read from the log is untrusted, even from the node's own agents. Used by one reader at a time, in log order.</remarks>
internal sealed class EventScreen(string topic, EventLimits limits, IEventVerifier? verifier)
{
    private Dictionary<string, string>? _owners;
    private OwnershipFence _fence = new();

    /// <summary>A screen for a second read of the same topic that starts mid-log: it knows the owners this one learnt.</summary>
    public EventScreen Fork()
    {
        var fork = new EventScreen(topic, limits, verifier);
        lock (this)
        {
            if (_owners is not null)
            {
                fork._owners = new Dictionary<string, string>(_owners, StringComparer.Ordinal);
            }
            fork._fence = _fence.Clone();
        }
        return fork;
    }

    /// <summary>The node that owns <paramref name="actor"/> (its first <c>JOIN</c> names it), when signatures are verified.</summary>
    public string? OwnerOf(string actor)
    {
        lock (this)
        {
            return _owners?.GetValueOrDefault(actor);
        }
    }

    /// <summary>Learns owners from a checkpoint (a node that starts mid-log never reads the JOINs).</summary>
    public void AddOwners(IEnumerable<KeyValuePair<string, string>> owners)
    {
        lock (this)
        {
            foreach (var (actor, node) in owners)
            {
                (_owners ??= new(StringComparer.Ordinal)).TryAdd(actor, node);
                _fence.OnCheckpointOwner(actor, node);
            }
        }
    }

    /// <summary>The node that owns <paramref name="actor"/> now and its epoch (see <see cref="OwnershipFence"/>).</summary>
    public (string? Node, ulong Epoch) CurrentOwner(string actor)
    {
        lock (this)
        {
            return _fence.Current(actor);
        }
    }

    /// <summary>Every (agent, epoch) owner learnt so far.</summary>
    public Dictionary<(string Agent, ulong Epoch), string> EpochOwners()
    {
        lock (this)
        {
            return _fence.All();
        }
    }

    /// <summary>Every owner learnt so far.</summary>
    public Dictionary<string, string> Owners()
    {
        lock (this)
        {
            return _owners is null ? new(StringComparer.Ordinal) : new(_owners, StringComparer.Ordinal);
        }
    }

    /// <summary>The decoded event, or the reason it is refused.</summary>
    public AgentEvent? Screen(in LogEntry entry, out string? refusal)
    {
        if (!AgentEventCodec.TryDecode(entry.Data.Span, limits, null, out var @event, out var error))
        {
            refusal = error!.ToString();
            return null;
        }
        if (@event!.Topic is { } named && !string.Equals(named, topic, StringComparison.Ordinal))
        {
            refusal = $"topic: the event names topic '{named}' but was read from '{topic}'";
            return null;
        }
        refusal = verifier is null ? null : CheckSignature(verifier, @event);
        refusal ??= CheckEpoch(@event, entry.Position);
        return refusal is null ? @event : null;
    }

    /// <summary>Ownership epochs: a <c>JOIN</c> sets epoch 1, a <c>CLAIM</c> the next one, and any other event must be of the current epoch.</summary>
    private string? CheckEpoch(AgentEvent @event, long position)
    {
        if (@event.Clock.Length != 0)
        {
            lock (this)
            {
                return _fence.Check(@event, position);
            }
        }
        lock (this)
        {
            if (string.Equals(@event.Action, Actions.Join, StringComparison.Ordinal))
            {
                _fence.OnJoin(@event.Actor, JoinPayload.NodeOf(@event));
                return null;
            }
            return string.Equals(@event.Action, Actions.Claim, StringComparison.Ordinal) ? _fence.OnClaim(@event, position) : null;
        }
    }

    /// <summary>The signature, and that the signing node owns the actor. Any trusted node may sign an <c>EVICT</c>.</summary>
    private string? CheckSignature(IEventVerifier verifier, AgentEvent @event)
    {
        if (!verifier.TryVerify(@event, out var keyId, out var reason))
        {
            return reason;
        }
        if (keyId is null)
        {
            return null; // unsigned, and signatures are optional: nothing to attribute
        }
        var signer = EventSigning.NodeOf(keyId);
        var owner = OwnerOf(@event.Actor);
        if (string.Equals(@event.Action, Actions.Join, StringComparison.Ordinal))
        {
            var named = JoinPayload.NodeOf(@event);
            if (!string.Equals(named, signer, StringComparison.Ordinal))
            {
                return $"actor: the JOIN of '{@event.Actor}' names node '{named ?? "(none)"}' but is signed by node '{signer}'";
            }
            if (owner is not null && !string.Equals(owner, signer, StringComparison.Ordinal))
            {
                return $"actor: '{@event.Actor}' is owned by node '{owner}' (its first JOIN); node '{signer}' may not join as it";
            }
            lock (this)
            {
                (_owners ??= new(StringComparer.Ordinal))[@event.Actor] = signer;
            }
            return null;
        }
        if (@event.Clock.Length == 0 && string.Equals(@event.Action, Actions.Evict, StringComparison.Ordinal))
        {
            return null; // any trusted node may evict a silent member
        }
        if (@event.Clock.Length == 0 && string.Equals(@event.Action, Actions.Claim, StringComparison.Ordinal))
        {
            // Any trusted node may take an agent over, but only for itself.
            var claimer = ClaimPayload.TryRead(@event, out _)?.Node;
            return claimer is null || string.Equals(claimer, signer, StringComparison.Ordinal)
                ? null
                : $"actor: the CLAIM of '{@event.Actor}' names node '{claimer}' but is signed by node '{signer}'";
        }
        if (@event.Epoch is > 1 and var epoch)
        {
            lock (this)
            {
                owner = _fence.NodeAt(@event.Actor, epoch) ?? owner; // taken over: the claimer owns it at that epoch
            }
        }
        if (owner is null)
        {
            return $"actor: '{@event.Actor}' has no JOIN in topic '{topic}', so no node owns it (signed by node '{signer}')";
        }
        return string.Equals(owner, signer, StringComparison.Ordinal)
            ? null
            : $"actor: '{@event.Actor}' is owned by node '{owner}' but the event is signed by node '{signer}' (spoofing)";
    }
}
