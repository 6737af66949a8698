using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Murmur.AI.Telemetry;

/// <summary>
/// Writes chat messages in the shape the OpenTelemetry GenAI conventions give <c>gen_ai.input.messages</c> and
/// <c>gen_ai.output.messages</c>: <c>[{"role":…,"parts":[{"type":"text","content":…} | {"type":"tool_call",…} |
/// {"type":"tool_call_response",…}]}]</c>. Used only when <see cref="AiDiagnostics.CaptureMessageContent"/> is on.
/// </summary>
internal static class GenAiMessages
{
    public static string ToJson(IEnumerable<ChatMessage> messages)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var message in messages)
            {
                w.WriteStartObject();
                w.WriteString("role", message.Role.Value);
                w.WritePropertyName("parts");
                w.WriteStartArray();
                foreach (var content in message.Contents)
                {
                    WritePart(w, content);
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A tool call's arguments as a JSON object.</summary>
    public static string Arguments(IEnumerable<KeyValuePair<string, object?>> arguments)
        => JsonSerializer.Serialize(arguments.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal), AIJsonUtilities.DefaultOptions);

    private static void WritePart(Utf8JsonWriter w, AIContent content)
    {
        w.WriteStartObject();
        switch (content)
        {
            case TextContent text:
                w.WriteString("type", "text");
                w.WriteString("content", text.Text);
                break;
            case FunctionCallContent call:
                w.WriteString("type", "tool_call");
                w.WriteString("id", call.CallId);
                w.WriteString("name", call.Name);
                w.WritePropertyName("arguments");
                JsonSerializer.Serialize(w, call.Arguments, AIJsonUtilities.DefaultOptions);
                break;
            case FunctionResultContent result:
                w.WriteString("type", "tool_call_response");
                w.WriteString("id", result.CallId);
                w.WritePropertyName("response");
                JsonSerializer.Serialize(w, result.Result, AIJsonUtilities.DefaultOptions);
                break;
            default:
                w.WriteString("type", content.GetType().Name);
                break;
        }
        w.WriteEndObject();
    }
}
