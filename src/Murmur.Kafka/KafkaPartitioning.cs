using System.Text;

namespace Murmur.Kafka;

/// <summary>
/// Which partition of the Kafka topic holds a Murmur topic: FNV-1a (32-bit) of the topic name's UTF-8 bytes,
/// modulo the partition count.
/// </summary>
/// <remarks>
/// This is deliberately not librdkafka's default partitioner (<c>consistent_random</c>, CRC32), nor the Java
/// client's (murmur2): a reader must compute the partition without producing anything, every client must agree
/// on it, and it must never change with a library upgrade. Murmur therefore computes it and produces to that
/// explicit partition. The mapping depends on the partition count, so never add partitions to a topic in use.
/// </remarks>
public static class KafkaPartitioning
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    /// <summary>The partition (0-based) of <paramref name="topic"/> in a Kafka topic with <paramref name="partitionCount"/> partitions.</summary>
    public static int PartitionOf(string topic, int partitionCount)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        return (int)(Fnv1a(Encoding.UTF8.GetBytes(topic)) % (uint)partitionCount);
    }

    /// <summary>FNV-1a, 32-bit.</summary>
    internal static uint Fnv1a(ReadOnlySpan<byte> bytes)
    {
        var hash = OffsetBasis;
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= Prime;
        }
        return hash;
    }
}
