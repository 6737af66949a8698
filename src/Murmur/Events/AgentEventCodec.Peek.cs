using System.Text.Json;
using Murmur.Logs;

namespace Murmur.Events;

public static partial class AgentEventCodec
{
    /// <summary>
    /// The top-level <c>event_id</c> of bytes that failed to decode, when it can still be read (a string of 1 to
    /// <see cref="LogGuard.MaxEventIdLength"/> characters before the first error); null otherwise. Never throws.
    /// </summary>
    /// <remarks>A dead letter names the id the bytes carry, not one a transport derived (NATS's <c>Nats-Msg-Id</c>).</remarks>
    public static string? PeekEventId(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("event_id");
                if (!reader.Read())
                {
                    return null;
                }
                if (isId)
                {
                    return reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 and <= LogGuard.MaxEventIdLength } id ? id : null;
                }
                reader.Skip();
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not readable far enough: the id stays unknown.
        }
        return null;
    }
}
