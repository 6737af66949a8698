using System.Buffers;
using System.Text.Json;

namespace Murmur.AI;

/// <summary>Writes small JSON object payloads.</summary>
internal static class JsonObjects
{
    /// <summary>The UTF-8 bytes of one JSON object whose properties <paramref name="write"/> writes.</summary>
    public static byte[] Build(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
