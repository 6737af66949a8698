using System.Text.Json;

namespace Murmur;

/// <summary>Signed events: verification and actor ownership.</summary>
internal sealed partial class TopicHost
{
    /// <summary>Who owns each actor of the topic: the node named by its first <c>JOIN</c> (only the reader thread touches it).</summary>
    private readonly Dictionary<string, string> _owners = new(StringComparer.Ordinal);

    /// <summary>
    /// Verifies a decoded event read from the log: its signature, and that the signing node owns the actor
    /// (the node its first <c>JOIN</c> names, which must be the node that signed that <c>JOIN</c>).
    /// Any trusted node may sign an <c>EVICT</c>. Runs on the reader thread, in log order.
    /// </summary>
    /// <returns>Why the event is refused, or null.</returns>
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
        var owner = _owners.GetValueOrDefault(@event.Actor);
        if (string.Equals(@event.Action, Actions.Join, StringComparison.Ordinal))
        {
            var named = JoinNode(@event);
            if (!string.Equals(named, signer, StringComparison.Ordinal))
            {
                return $"actor: the JOIN of '{@event.Actor}' names node '{named ?? "(none)"}' but is signed by node '{signer}'";
            }
            if (owner is not null && !string.Equals(owner, signer, StringComparison.Ordinal))
            {
                return $"actor: '{@event.Actor}' is owned by node '{owner}' (its first JOIN); node '{signer}' may not join as it";
            }
            _owners[@event.Actor] = signer;
            return null;
        }
        if (@event.Clock.Length == 0 && string.Equals(@event.Action, Actions.Evict, StringComparison.Ordinal))
        {
            return null; // any trusted node may evict a silent member
        }
        if (owner is null)
        {
            return $"actor: '{@event.Actor}' has no JOIN in topic '{Name}', so no node owns it (signed by node '{signer}')";
        }
        return string.Equals(owner, signer, StringComparison.Ordinal)
            ? null
            : $"actor: '{@event.Actor}' is owned by node '{owner}' but the event is signed by node '{signer}' (spoofing)";
    }

    private static string? JoinNode(AgentEvent join)
    {
        try
        {
            using var document = JsonDocument.Parse(join.Payload);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("node", out var node)
                && node.ValueKind == JsonValueKind.String
                ? node.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
