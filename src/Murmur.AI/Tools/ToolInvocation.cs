using System.Text.Json;

namespace Murmur.AI.Tools;

/// <summary>The outcome of one tool call made through <see cref="ToolInvoker"/>.</summary>
/// <param name="Tool">The tool's name.</param>
/// <param name="CallId">The <c>event_id</c> of the <c>TOOL_CALL</c> event.</param>
/// <param name="Ok">True when the tool returned; false when it was refused or threw.</param>
/// <param name="Result">The result as JSON when <paramref name="Ok"/>; <c>default</c> otherwise.</param>
/// <param name="Error">What went wrong when not <paramref name="Ok"/>.</param>
/// <param name="Locality">Where the tool ran.</param>
/// <param name="Elapsed">In-process: how long the tool ran (not counting the two publishes). Remote: the round trip from the request's append to its answer.</param>
public sealed record ToolInvocation(string Tool, string CallId, bool Ok, JsonElement Result, string? Error, ToolLocality Locality, TimeSpan Elapsed)
{
    /// <summary>The node that ran the tool, for a remote call.</summary>
    public string? Host { get; init; }

    /// <summary>How long the tool itself ran on its host, for a remote call whose host said.</summary>
    public TimeSpan? HostElapsed { get; init; }

    /// <summary>The text fed back to the model: the result JSON, or <c>error: …</c>.</summary>
    public string ToModelText() => Ok ? Result.GetRawText() : "error: " + Error;
}
