using System.Text;

namespace Murmur.Kafka.Tests;

public sealed class PartitioningTests
{
    [Theory]
    [InlineData("", 0x811c9dc5u)]
    [InlineData("a", 0xe40c292cu)]
    [InlineData("foobar", 0xbf9cf968u)]
    [InlineData("fix-auth-token", 0xec9c5f09u)]
    public void Hash_IsFnv1a32_TheSameInEveryRunAndProcess(string text, uint expected)
        => Assert.Equal(expected, KafkaPartitioning.Fnv1a(Encoding.UTF8.GetBytes(text)));

    [Theory]
    [InlineData("fix-auth-token", 1, 0)]
    [InlineData("fix-auth-token", 12, 1)]
    [InlineData("fix-auth-token", 64, 9)]
    [InlineData("orders", 3, 2)]
    [InlineData("orders", 12, 8)]
    [InlineData("orders", 64, 44)]
    public void PartitionOf_HasFixedValues(string topic, int partitions, int expected)
        => Assert.Equal(expected, KafkaPartitioning.PartitionOf(topic, partitions));

    [Fact]
    public void PartitionOf_IsWithinRange_Deterministic_AndSpreadsTopics()
    {
        foreach (var partitions in new[] { 1, 2, 3, 7, 12, 100 })
        {
            var used = new HashSet<int>();
            for (var i = 0; i < 2000; i++)
            {
                var topic = $"task-{i}";
                var p = KafkaPartitioning.PartitionOf(topic, partitions);
                Assert.InRange(p, 0, partitions - 1);
                Assert.Equal(p, KafkaPartitioning.PartitionOf(new string(topic.AsSpan()), partitions));
                used.Add(p);
            }
            Assert.Equal(partitions, used.Count);
        }
    }

    [Fact]
    public void PartitionOf_RefusesNoPartitions()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KafkaPartitioning.PartitionOf("t", 0));
        Assert.Throws<ArgumentNullException>(() => KafkaPartitioning.PartitionOf(null!, 1));
    }
}
