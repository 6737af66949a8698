using System.Text.Json.Serialization;

namespace Murmur.Topics;

/// <summary>The payload of <c>SPECULATION_COMMIT</c> / <c>SPECULATION_ABORT</c>.</summary>
/// <param name="Speculation">The speculation's id.</param>
/// <param name="Events">The events published inside it: confirmed by a commit, withdrawn by an abort.</param>
/// <param name="DependsOn">What it depended on.</param>
/// <param name="Reason">Why it aborted; null for a commit.</param>
public sealed record SpeculationOutcome(
    [property: JsonPropertyName("speculation")] string Speculation,
    [property: JsonPropertyName("events")] IReadOnlyList<string> Events,
    [property: JsonPropertyName("depends_on")] IReadOnlyList<string> DependsOn,
    [property: JsonPropertyName("reason"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason);
