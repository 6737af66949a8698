using System.Text.Json;
using Murmur.Events;

namespace Murmur.AI.Events;

/// <summary>The payload of a <c>TOOL_CALL</c>: <c>{"tool":"grep_search","args":{…}}</c>.</summary>
/// <param name="Tool">The tool's name.</param>
/// <param name="Args">The arguments; an object, <c>{}</c> when the call has none.</param>
public sealed record ToolCall(string Tool, JsonElement Args)
{
    /// <summary>Reads the view from a <c>TOOL_CALL</c> event; false for any other action or a payload without a <c>tool</c> string.</summary>
    public static bool TryRead(AgentEvent @event, out ToolCall? call)
    {
        call = null;
        if (!PayloadJson.TryGetObject(@event, AiActions.ToolCall, out var root) || PayloadJson.GetString(root, "tool") is not { Length: > 0 } tool)
        {
            return false;
        }
        call = new ToolCall(tool, PayloadJson.Get(root, "args") ?? JsonDocument.Parse("{}").RootElement.Clone());
        return true;
    }

    /// <summary>Encodes the view as a payload.</summary>
    public byte[] ToPayload() => PayloadJson.Build(w =>
    {
        w.WriteString("tool", Tool);
        w.WritePropertyName("args");
        Args.WriteTo(w);
    });
}
