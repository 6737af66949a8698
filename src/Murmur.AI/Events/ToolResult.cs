using System.Text.Json;
using Murmur.Events;

namespace Murmur.AI.Events;

/// <summary>
/// The payload of a <c>TOOL_RESULT</c>: <c>{"tool":…,"call_id":…,"result":…,"is_error":false}</c>.
/// </summary>
/// <param name="Tool">The tool's name, or null.</param>
/// <param name="CallId">The <c>event_id</c> of the <c>TOOL_CALL</c> answered, or null.</param>
/// <param name="Result">The result value; <c>null</c> JSON when absent.</param>
/// <param name="IsError">True when the tool failed and <paramref name="Result"/> describes the failure.</param>
public sealed record ToolResult(string? Tool, string? CallId, JsonElement Result, bool IsError)
{
    /// <summary>Reads the view from a <c>TOOL_RESULT</c> event; false for any other action or a non-object payload.</summary>
    public static bool TryRead(AgentEvent @event, out ToolResult? result)
    {
        result = null;
        if (!PayloadJson.TryGetObject(@event, AiActions.ToolResult, out var root))
        {
            return false;
        }
        var isError = root.TryGetProperty("is_error", out var e) && e.ValueKind == JsonValueKind.True;
        result = new ToolResult(PayloadJson.GetString(root, "tool"), PayloadJson.GetString(root, "call_id"),
            PayloadJson.Get(root, "result") ?? default, isError);
        return true;
    }

    /// <summary>Encodes the view as a payload.</summary>
    public byte[] ToPayload() => PayloadJson.Build(w =>
    {
        if (Tool is not null)
        {
            w.WriteString("tool", Tool);
        }
        if (CallId is not null)
        {
            w.WriteString("call_id", CallId);
        }
        w.WritePropertyName("result");
        if (Result.ValueKind == JsonValueKind.Undefined)
        {
            w.WriteNullValue();
        }
        else
        {
            Result.WriteTo(w);
        }
        if (IsError)
        {
            w.WriteBoolean("is_error", true);
        }
    });
}
