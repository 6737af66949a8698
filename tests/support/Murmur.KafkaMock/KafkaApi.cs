namespace Murmur.KafkaMock;

/// <summary>Kafka protocol request types (API keys) whose requests the mock can fail.</summary>
public enum KafkaApi : short
{
    /// <summary>Produce (appends).</summary>
    Produce = 0,

    /// <summary>Fetch (reads).</summary>
    Fetch = 1,

    /// <summary>ListOffsets (watermarks, the end of a partition).</summary>
    ListOffsets = 2,

    /// <summary>Metadata (partitions and their leaders).</summary>
    Metadata = 3,

    /// <summary>InitProducerId (the idempotent producer's id and epoch).</summary>
    InitProducerId = 22,
}
