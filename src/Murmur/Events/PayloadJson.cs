using System.Buffers;
using System.Text.Json;

namespace Murmur.Events;

/// <summary>
/// Helpers for typed payload views (<see cref="Retraction"/>, <see cref="JoinRequest"/>, and those of other packages):
/// read an event's payload as a JSON object without throwing on untrusted input, and build one.
/// </summary>
/// <remarks>Everything read here comes from the log and may be hostile: a wrong action, a payload that is not an
/// object, or a property of the wrong type yields false or null, never an exception.</remarks>
public static class PayloadJson
{
    /// <summary>Parses the payload of <paramref name="event"/> when its action matches and it is an object.</summary>
    public static bool TryGetObject(AgentEvent @event, string action, out JsonElement root)
    {
        ArgumentNullException.ThrowIfNull(@event);
        root = default;
        if (!string.Equals(@event.Action, action, StringComparison.Ordinal))
        {
            return false;
        }
        try
        {
            root = @event.GetPayload();
        }
        catch (JsonException)
        {
            return false;
        }
        return root.ValueKind == JsonValueKind.Object;
    }

    /// <summary>The string property <paramref name="name"/>, or null when absent or not a string.</summary>
    public static string? GetString(JsonElement root, string name)
        => root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    /// <summary>The property <paramref name="name"/> cloned, or null when absent.</summary>
    public static JsonElement? Get(JsonElement root, string name)
        => root.TryGetProperty(name, out var p) ? p.Clone() : null;

    /// <summary>Builds a payload object with a writer callback.</summary>
    public static byte[] Build(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
