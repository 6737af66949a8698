using System.Text.Json.Serialization;

namespace Murmur.Cli.Demo;

/// <summary>One line-level fix: the payload of a <c>PROPOSAL</c>.</summary>
internal sealed record Fix(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("line")] int Line,
    [property: JsonPropertyName("before")] string Before,
    [property: JsonPropertyName("after")] string After,
    [property: JsonPropertyName("finding")] string Finding,
    [property: JsonPropertyName("unified_diff")] string UnifiedDiff);
