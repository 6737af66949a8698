using System.Text.Json;
using Murmur.AI.Agents;

namespace Murmur.AI.Scripted;

/// <summary>When a step may play; every set field must hold (none set: always).</summary>
/// <param name="SeenAction">An event with this action was fed to the model (<c>seen_action</c>).</param>
/// <param name="ToolResultContains">A tool result fed to the model contains this text (<c>tool_result_contains</c>).</param>
/// <param name="MessageContains">A user message contains this text (<c>message_contains</c>).</param>
public sealed record ScriptCondition(string? SeenAction, string? ToolResultContains, string? MessageContains);

/// <summary>A tool call a step makes.</summary>
/// <param name="Tool">The tool's name.</param>
/// <param name="Args">The arguments object.</param>
public sealed record ScriptToolCall(string Tool, JsonElement Args);

/// <summary>One step of a script.</summary>
/// <param name="Number">1-based position in the script.</param>
/// <param name="When">The condition, or null.</param>
/// <param name="Text">The answer text (prefixed <c>[scripted] </c> when played), or null.</param>
/// <param name="ToolCalls">Tool calls to ask for.</param>
/// <param name="Publish">Events to publish.</param>
/// <param name="Repeat">True when the step is never used up.</param>
public sealed record ScriptStep(int Number, ScriptCondition? When, string? Text, IReadOnlyList<ScriptToolCall> ToolCalls, IReadOnlyList<PublishRequest> Publish, bool Repeat);
