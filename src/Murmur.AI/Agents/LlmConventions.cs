namespace Murmur.AI.Agents;

/// <summary>The keys by which <see cref="LlmAgent"/> and chat clients exchange Murmur-specific data on messages.</summary>
public static class LlmConventions
{
    /// <summary>
    /// On a <see cref="Microsoft.Extensions.AI.ChatMessage"/> the agent built from a topic event: the event's action
    /// (a <see cref="string"/>), so engines can react to what was seen.
    /// </summary>
    public const string ActionKey = "murmur.action";

    /// <summary>
    /// On a response <see cref="Microsoft.Extensions.AI.ChatMessage"/>: an <c>IReadOnlyList&lt;PublishRequest&gt;</c>
    /// of events the agent publishes (the scripted engine's <c>"publish"</c>). Real models use the
    /// <see cref="ReportFindingTool"/> tool instead.
    /// </summary>
    public const string PublishKey = "murmur.publish";

    /// <summary>The agent-provided tool through which a model publishes a <c>FINDING</c>: <c>report_finding(summary, data)</c>.</summary>
    public const string ReportFindingTool = "report_finding";

    /// <summary>Every text the scripted engine produces starts with this label.</summary>
    public const string ScriptedLabel = "[scripted] ";
}
