using System.Text;
using Confluent.Kafka;
using Murmur.Logs;

namespace Murmur.Kafka;

/// <summary>A Murmur record as a Kafka message: key = topic name, value = record bytes, headers = event id and topic.</summary>
internal static class KafkaRecordCodec
{
    public const string EventIdHeader = "murmur-event-id";
    public const string TopicHeader = "murmur-topic";

    public static Message<byte[], byte[]> ToMessage(string topic, in LogRecord record)
    {
        var topicBytes = Encoding.UTF8.GetBytes(topic);
        return new Message<byte[], byte[]>
        {
            Key = topicBytes,
            // A copy: the caller may reuse its buffer while the producer still queues the message.
            Value = record.Data.ToArray(),
            Headers = new Headers
            {
                { EventIdHeader, Encoding.UTF8.GetBytes(record.EventId) },
                { TopicHeader, topicBytes },
            },
        };
    }

    /// <summary>The entry of a message at <paramref name="offset"/> when its key is <paramref name="topicKey"/>; false for another topic's message.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> topicKey, Message<byte[], byte[]> message, long offset, out LogEntry entry)
    {
        if (message.Key is null || !topicKey.SequenceEqual(message.Key))
        {
            entry = default;
            return false;
        }
        var eventId = message.Headers is { } headers && headers.TryGetLastBytes(EventIdHeader, out var id) ? Encoding.UTF8.GetString(id) : string.Empty;
        entry = new LogEntry(PositionOf(offset), eventId, message.Value ?? []);
        return true;
    }

    /// <summary>A Murmur position is the Kafka offset + 1 (positions start at 1, offsets at 0).</summary>
    public static long PositionOf(long offset) => offset + 1;

    /// <summary>The Kafka offset of a Murmur position.</summary>
    public static long OffsetOf(long position) => position - 1;
}
