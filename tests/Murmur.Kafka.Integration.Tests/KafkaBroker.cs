namespace Murmur.Kafka.Integration.Tests;

/// <summary>
/// The Kafka cluster these tests use: <c>MURMUR_KAFKA_BOOTSTRAP</c> (required, e.g. <c>127.0.0.1:9092</c>) and
/// optionally <c>MURMUR_KAFKA_REPLICATION</c> (the test topics' replication factor, default 1).
/// test.sh runs this project only when <c>MURMUR_KAFKA_BOOTSTRAP</c> is set.
/// </summary>
public static class KafkaBroker
{
    public static string Bootstrap => Environment.GetEnvironmentVariable("MURMUR_KAFKA_BOOTSTRAP") is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException("MURMUR_KAFKA_BOOTSTRAP is not set: point it at a Kafka broker (host:port) to run the Kafka integration tests.");

    private static short Replication => short.TryParse(Environment.GetEnvironmentVariable("MURMUR_KAFKA_REPLICATION"), out var r) && r > 0 ? r : (short)1;

    public static Task<KafkaEventLog> ConnectAsync(string kafkaTopic, int partitions = 3, int maxRecordBytes = LogGuard.DefaultMaxRecordBytes, int recentEventIds = 100_000)
        => KafkaEventLog.ConnectAsync(new KafkaEventLogOptions
        {
            BootstrapServers = Bootstrap,
            KafkaTopic = kafkaTopic,
            Partitions = partitions,
            ReplicationFactor = Replication,
            MinInSyncReplicas = Replication > 1 ? 2 : null,
            MaxRecordBytes = maxRecordBytes,
            RecentEventIds = recentEventIds,
            RequestTimeout = TimeSpan.FromSeconds(15),
        });
}
