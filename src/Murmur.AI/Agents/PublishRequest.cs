using System.Text.Json;

namespace Murmur.AI.Agents;

/// <summary>An event a model's answer asks its <see cref="LlmAgent"/> to publish, e.g. a <c>FINDING</c>.</summary>
/// <param name="Action">The event's action.</param>
/// <param name="Payload">The payload (a JSON object).</param>
public sealed record PublishRequest(string Action, JsonElement Payload);
