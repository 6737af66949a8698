using System.Text;
using Murmur.Logs;
using Murmur.Testing;

namespace Murmur.Kafka.Integration.Tests;

/// <summary>The IEventLog conformance suite on Kafka (one Kafka topic, three partitions): the mock cluster, or a real one (see <see cref="KafkaBroker"/>).</summary>
public sealed class KafkaEventLogTests : EventLogConformanceTests
{
    private const string Conformance = "murmur-conformance";

    protected override async Task<IEventLog> CreateLogAsync(int maxRecordBytes = LogGuard.DefaultMaxRecordBytes)
        => await KafkaBroker.ConnectAsync(Conformance, maxRecordBytes: maxRecordBytes);

    [Fact]
    public async Task Positions_AreOffsetsPlusOne_IncreasingPerTopic_WhenTopicsShareAPartition()
    {
        // One partition: every Murmur topic shares it, so positions interleave.
        await using var log = await KafkaBroker.ConnectAsync("murmur-one-partition", partitions: 1);
        Assert.Equal(1, log.PartitionCount);
        var a = NewTopic("a");
        var b = NewTopic("b");
        var a1 = await log.AppendAsync(a, Record("a1"));
        var b1 = await log.AppendAsync(b, Record("b1"));
        var a2 = await log.AppendAsync(a, Record("a2"));
        Assert.True(a1 < b1 && b1 < a2);
        Assert.Equal(a2, await log.GetEndPositionAsync(a));
        Assert.Equal(b1, await log.GetEndPositionAsync(b));
        Assert.Equal(["a1", "a2"], (await ReadAllAsync(log, a)).Select(e => e.EventId));
        Assert.Equal([a2], (await ReadAllAsync(log, a, a1 + 1)).Select(e => e.Position));
    }

    [Fact]
    public async Task SecondCopy_FromAnotherAppender_IsDroppedByReaders()
    {
        // Two processes (no shared cache) append the same event id: Kafka stores both copies, readers yield one.
        await using var first = await KafkaBroker.ConnectAsync(Conformance);
        await using var second = await KafkaBroker.ConnectAsync(Conformance);
        var topic = NewTopic("dup");
        var original = await first.AppendAsync(topic, Record("e1"));
        await first.AppendAsync(topic, Record("e2"));
        var copy = await second.AppendAsync(topic, Record("e1"));
        Assert.True(copy > original);
        var read = await ReadAllAsync(first, topic);
        Assert.Equal(["e1", "e2"], read.Select(e => e.EventId));
        Assert.Equal(original, read[0].Position);
    }

    [Fact]
    public async Task Headers_CarryEventIdAndTopic_ForNonMurmurConsumers()
    {
        await using var log = await KafkaBroker.ConnectAsync(Conformance);
        var topic = NewTopic("h");
        var position = await log.AppendAsync(topic, new LogRecord("req_88f2a", Encoding.UTF8.GetBytes("{}")));
        var entry = Assert.Single(await ReadAllAsync(log, topic));
        Assert.Equal(new LogEntry(position, "req_88f2a", entry.Data), entry);
    }

    [Fact]
    public async Task Connect_ToAnExistingTopic_KeepsItsPartitionCount()
    {
        await using var first = await KafkaBroker.ConnectAsync(Conformance, partitions: 3);
        await using var second = await KafkaBroker.ConnectAsync(Conformance, partitions: 7);
        Assert.Equal(first.PartitionCount, second.PartitionCount);
    }
}
