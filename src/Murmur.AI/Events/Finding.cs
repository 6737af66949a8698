using System.Text.Json;
using Murmur.Events;

namespace Murmur.AI.Events;

/// <summary>The payload of a <c>FINDING</c>: <c>{"summary":…,"data":…}</c>.</summary>
/// <param name="Summary">What was found, in words.</param>
/// <param name="Data">Structured evidence, or null.</param>
public sealed record Finding(string Summary, JsonElement? Data)
{
    /// <summary>Reads the view from a <c>FINDING</c> event; false for any other action or a payload without a <c>summary</c> string.</summary>
    public static bool TryRead(AgentEvent @event, out Finding? finding)
    {
        finding = null;
        if (!PayloadJson.TryGetObject(@event, AiActions.Finding, out var root) || PayloadJson.GetString(root, "summary") is not { } summary)
        {
            return false;
        }
        finding = new Finding(summary, PayloadJson.Get(root, "data"));
        return true;
    }

    /// <summary>Encodes the view as a payload.</summary>
    public byte[] ToPayload() => PayloadJson.Build(w =>
    {
        w.WriteString("summary", Summary);
        if (Data is { } data)
        {
            w.WritePropertyName("data");
            data.WriteTo(w);
        }
    });
}
