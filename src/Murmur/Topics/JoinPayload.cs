using System.Text.Json.Serialization;
using Murmur.Events;

namespace Murmur.Topics;

/// <summary>The payload of a runtime's <c>JOIN</c>: which node hosts the member and the topic's mode.</summary>
internal sealed record JoinPayload(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("consistency")] string Consistency,
    [property: JsonPropertyName("min_members")] int MinMembers = 1)
{
    /// <summary>The node a <c>JOIN</c> names, or null when its payload names none (it is untrusted input).</summary>
    public static string? NodeOf(AgentEvent join)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(join.Payload);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && document.RootElement.TryGetProperty("node", out var node)
                && node.ValueKind == System.Text.Json.JsonValueKind.String
                ? node.GetString()
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

[JsonSerializable(typeof(JoinPayload))]
internal sealed partial class JoinJson : JsonSerializerContext;
