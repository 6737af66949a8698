using System.Text.Json.Serialization;

namespace Murmur.AI.Tools;

/// <summary>One matching line.</summary>
/// <param name="Path">Root-relative, '/'-separated.</param>
/// <param name="Line">1-based line number.</param>
/// <param name="Text">The line (cut at <see cref="GrepOptions.MaxLineChars"/>).</param>
public sealed record GrepMatch(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("line")] int Line,
    [property: JsonPropertyName("text")] string Text);

/// <summary>What <c>grep_search</c> returns.</summary>
/// <param name="Matches">The matches, files in ordinal path order, lines in order.</param>
/// <param name="FilesSearched">Text files read.</param>
/// <param name="FilesSkipped">Files skipped: binary, too large, or refused by the path rules.</param>
/// <param name="Truncated">True when a limit or a regex timeout stopped the search early.</param>
/// <param name="Reason">Why it stopped early, or null.</param>
public sealed record GrepResult(
    [property: JsonPropertyName("matches")] IReadOnlyList<GrepMatch> Matches,
    [property: JsonPropertyName("files_searched")] int FilesSearched,
    [property: JsonPropertyName("files_skipped")] int FilesSkipped,
    [property: JsonPropertyName("truncated")] bool Truncated,
    [property: JsonPropertyName("reason")] string? Reason);
