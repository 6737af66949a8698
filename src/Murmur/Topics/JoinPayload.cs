using System.Text.Json.Serialization;

namespace Murmur;

/// <summary>The payload of a runtime's <c>JOIN</c>: which node hosts the member and the topic's mode.</summary>
internal sealed record JoinPayload(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("consistency")] string Consistency,
    [property: JsonPropertyName("min_members")] int MinMembers = 1);

[JsonSerializable(typeof(JoinPayload))]
internal sealed partial class JoinJson : JsonSerializerContext;
