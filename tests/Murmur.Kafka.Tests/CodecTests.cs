using System.Text;
using Confluent.Kafka;
using Murmur.Logs;

namespace Murmur.Kafka.Tests;

public sealed class CodecTests
{
    [Fact]
    public void ToMessage_KeyIsTheTopic_ValueTheBytes_HeadersIdAndTopic()
    {
        var data = Encoding.UTF8.GetBytes("{\"event_id\":\"req_88f2a\"}");
        var message = KafkaRecordCodec.ToMessage("fix-auth-token", new LogRecord("req_88f2a", data));
        Assert.Equal("fix-auth-token", Encoding.UTF8.GetString(message.Key));
        Assert.Equal(data, message.Value);
        Assert.NotSame(data, message.Value);
        Assert.Equal("req_88f2a", Encoding.UTF8.GetString(message.Headers.GetLastBytes("murmur-event-id")));
        Assert.Equal("fix-auth-token", Encoding.UTF8.GetString(message.Headers.GetLastBytes("murmur-topic")));
        Assert.Equal(2, message.Headers.Count);
    }

    [Fact]
    public void ToMessage_CopiesTheCallersBuffer()
    {
        var data = new byte[] { 1, 2, 3 };
        var message = KafkaRecordCodec.ToMessage("t", new LogRecord("e", data));
        data[0] = 9;
        Assert.Equal([1, 2, 3], message.Value);
    }

    [Fact]
    public void RoundTrip_GivesTheEntry_AtOffsetPlusOne()
    {
        var message = KafkaRecordCodec.ToMessage("topic.a", new LogRecord("e1", new byte[] { 42 }));
        Assert.True(KafkaRecordCodec.TryDecode(Encoding.UTF8.GetBytes("topic.a"), message, offset: 41, out var entry));
        Assert.Equal(new LogEntry(42, "e1", entry.Data), entry);
        Assert.Equal([42], entry.Data.ToArray());
    }

    [Fact]
    public void TryDecode_SkipsAnotherTopicsMessage_EvenAPrefix()
    {
        var message = KafkaRecordCodec.ToMessage("topic.ab", new LogRecord("e1", new byte[] { 1 }));
        Assert.False(KafkaRecordCodec.TryDecode(Encoding.UTF8.GetBytes("topic.a"), message, 0, out _));
        Assert.False(KafkaRecordCodec.TryDecode(Encoding.UTF8.GetBytes("topic.a"), new Message<byte[], byte[]> { Key = null!, Value = [1] }, 0, out _));
    }

    [Fact]
    public void TryDecode_WithoutTheIdHeader_GivesAnEmptyId()
    {
        var message = new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes("t"), Value = [7] };
        Assert.True(KafkaRecordCodec.TryDecode(Encoding.UTF8.GetBytes("t"), message, 0, out var entry));
        Assert.Equal(string.Empty, entry.EventId);
        Assert.Equal(1, entry.Position);
    }

    [Fact]
    public void Positions_AndOffsets_AreOneApart()
    {
        Assert.Equal(1, KafkaRecordCodec.PositionOf(0));
        Assert.Equal(0, KafkaRecordCodec.OffsetOf(1));
        Assert.Equal(long.MaxValue - 1, KafkaRecordCodec.OffsetOf(KafkaRecordCodec.PositionOf(long.MaxValue - 1)));
    }
}
