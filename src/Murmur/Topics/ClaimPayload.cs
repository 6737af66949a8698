using System.Text.Json;
using System.Text.Json.Serialization;
using Murmur.Events;

namespace Murmur.Topics;

/// <summary>The payload of a <c>CLAIM</c>: which node owns <see cref="Agent"/> from <see cref="Epoch"/> on.</summary>
/// <param name="Agent">The agent taken over (also the claim's actor).</param>
/// <param name="Node">The node that owns it from this claim on.</param>
/// <param name="Epoch">The new epoch: one more than the one it replaces.</param>
public sealed record ClaimPayload(
    [property: JsonPropertyName("agent")] string Agent,
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("epoch")] ulong Epoch)
{
    /// <summary>The event id of the claim of <paramref name="epoch"/> for <paramref name="agent"/>: derived, so concurrent claims of one epoch are one record where the log de-duplicates.</summary>
    public static string EventIdFor(string agent, ulong epoch) => $"claim-{agent}-e{epoch}";

    /// <summary>Reads a claim's payload, or explains why it is not one (it is untrusted input).</summary>
    public static ClaimPayload? TryRead(AgentEvent claim, out string? problem)
    {
        try
        {
            var payload = JsonSerializer.Deserialize(claim.Payload.Span, ClaimJson.Default.ClaimPayload);
            problem = payload switch
            {
                null => "the payload is not an object",
                { Agent: null or "" } or { Node: null or "" } => "the payload needs 'agent' and 'node'",
                _ when !string.Equals(payload.Agent, claim.Actor, StringComparison.Ordinal) => $"it claims '{payload.Agent}' but its actor is '{claim.Actor}'",
                { Epoch: < 2 } => "its epoch must be 2 or more (epoch 1 is the node that joined the agent)",
                _ => null,
            };
            return problem is null ? payload : null;
        }
        catch (JsonException ex)
        {
            problem = $"the payload is not a claim ({ex.Message})";
            return null;
        }
    }
}

[JsonSerializable(typeof(ClaimPayload))]
internal sealed partial class ClaimJson : JsonSerializerContext;
