using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Murmur.Events;

public static partial class AgentEventCodec
{
    private static readonly JsonEncodedText EventIdName = JsonEncodedText.Encode("event_id");
    private static readonly JsonEncodedText ActorName = JsonEncodedText.Encode("actor");
    private static readonly JsonEncodedText ActionName = JsonEncodedText.Encode("action");
    private static readonly JsonEncodedText PayloadName = JsonEncodedText.Encode("payload");
    private static readonly JsonEncodedText ClockName = JsonEncodedText.Encode("vector_clock");
    private static readonly JsonEncodedText TopicName = JsonEncodedText.Encode("topic");
    private static readonly JsonEncodedText TsName = JsonEncodedText.Encode("ts");
    private static readonly JsonEncodedText RoundName = JsonEncodedText.Encode("round");
    private static readonly JsonEncodedText DependsOnName = JsonEncodedText.Encode("depends_on");
    private static readonly JsonEncodedText SignatureName = JsonEncodedText.Encode("signature");
    private static readonly JsonEncodedText TraceParentName = JsonEncodedText.Encode("traceparent");
    private static readonly JsonEncodedText EpochName = JsonEncodedText.Encode("epoch");

    // Relaxed escaping keeps non-ASCII text as UTF-8 instead of \uXXXX; the output is JSON, never embedded in HTML.
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    /// <summary>Encodes an event as one line of UTF-8 JSON (no trailing newline).</summary>
    public static byte[] Encode(AgentEvent @event)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + @event.Payload.Length);
        Encode(@event, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes an event as one line of UTF-8 JSON into <paramref name="output"/>.</summary>
    public static void Encode(AgentEvent @event, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        Write(writer, @event);
    }

    /// <summary>Writes an event as a JSON object to <paramref name="writer"/>.</summary>
    public static void Write(Utf8JsonWriter writer, AgentEvent @event)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(@event);
        writer.WriteStartObject();
        writer.WriteString(EventIdName, @event.EventId);
        writer.WriteString(ActorName, @event.Actor);
        writer.WriteString(ActionName, @event.Action);
        writer.WritePropertyName(PayloadName);
        // The payload was validated when the event was decoded or constructed.
        writer.WriteRawValue(@event.Payload.Span, skipInputValidation: true);
        writer.WriteStartArray(ClockName);
        foreach (var entry in @event.Clock.Entries)
        {
            writer.WriteNumberValue(entry);
        }
        writer.WriteEndArray();
        if (!string.IsNullOrEmpty(@event.Topic))
        {
            writer.WriteString(TopicName, @event.Topic);
        }
        if (@event.Timestamp is { } ts)
        {
            writer.WriteNumber(TsName, ts);
        }
        if (@event.Round is { } round)
        {
            writer.WriteNumber(RoundName, round);
        }
        if (@event.DependsOn.Count > 0)
        {
            writer.WriteStartArray(DependsOnName);
            foreach (var id in @event.DependsOn)
            {
                writer.WriteStringValue(id);
            }
            writer.WriteEndArray();
        }
        if (!string.IsNullOrEmpty(@event.Signature))
        {
            writer.WriteString(SignatureName, @event.Signature);
        }
        if (!string.IsNullOrEmpty(@event.TraceParent))
        {
            writer.WriteString(TraceParentName, @event.TraceParent);
        }
        if (@event.Epoch is { } epoch)
        {
            writer.WriteNumber(EpochName, epoch);
        }
        writer.WriteEndObject();
        writer.Flush();
    }
}
