using Murmur.KafkaMock;
using Murmur.Logs;

namespace Murmur.Kafka.Integration.Tests;

/// <summary>
/// The Kafka cluster the shared tests use. <c>MURMUR_KAFKA_BOOTSTRAP</c> selects it: a real cluster (its topics are
/// created by the log, with <c>MURMUR_KAFKA_REPLICATION</c> replicas, default 1) or, with <c>MURMUR_KAFKA_MOCK=1</c>,
/// the mock cluster that test.sh's holder started with the topics of mock-topics.txt. Without it, a mock cluster is
/// started in this process (so <c>dotnet test</c> needs nothing else).
/// </summary>
public static class KafkaBroker
{
    private static readonly Lazy<MockKafkaCluster> InProcess = new(() => MockKafkaCluster.Start(3));
    private static readonly HashSet<string> Created = new(StringComparer.Ordinal);

    private static string? Configured => Environment.GetEnvironmentVariable("MURMUR_KAFKA_BOOTSTRAP") is { Length: > 0 } value ? value : null;

    /// <summary>Whether the cluster is librdkafka's mock (the holder's or this process's), not a real Kafka.</summary>
    public static bool IsMock => Configured is null || Environment.GetEnvironmentVariable("MURMUR_KAFKA_MOCK") == "1";

    public static string Bootstrap => Configured ?? InProcess.Value.Bootstrap;

    private static short Replication => short.TryParse(Environment.GetEnvironmentVariable("MURMUR_KAFKA_REPLICATION"), out var r) && r > 0 ? r : (short)1;

    /// <summary>Makes sure <paramref name="kafkaTopic"/> exists where the log cannot create it (a mock cluster).</summary>
    public static void EnsureTopic(string kafkaTopic, int partitions)
    {
        if (Configured is null)
        {
            lock (Created)
            {
                if (Created.Add(kafkaTopic))
                {
                    InProcess.Value.CreateTopic(kafkaTopic, partitions);
                }
            }
        }
        else if (IsMock && !HolderTopics.Value.Contains(kafkaTopic))
        {
            throw new InvalidOperationException($"Kafka topic '{kafkaTopic}' is not in mock-topics.txt: the mock holder cannot create it later.");
        }
    }

    private static readonly Lazy<HashSet<string>> HolderTopics = new(() =>
        [.. File.ReadLines(Path.Combine(AppContext.BaseDirectory, "mock-topics.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(':')[0])]);

    public static KafkaEventLogOptions Options(string kafkaTopic, int partitions = 3, int maxRecordBytes = LogGuard.DefaultMaxRecordBytes, int recentEventIds = 100_000)
        => new()
        {
            BootstrapServers = Bootstrap,
            KafkaTopic = kafkaTopic,
            Partitions = partitions,
            ReplicationFactor = Replication,
            MinInSyncReplicas = Replication > 1 ? 2 : null,
            MaxRecordBytes = maxRecordBytes,
            RecentEventIds = recentEventIds,
            RequestTimeout = TimeSpan.FromSeconds(15),
        };

    public static Task<KafkaEventLog> ConnectAsync(string kafkaTopic, int partitions = 3, int maxRecordBytes = LogGuard.DefaultMaxRecordBytes, int recentEventIds = 100_000)
    {
        EnsureTopic(kafkaTopic, partitions);
        return KafkaEventLog.ConnectAsync(Options(kafkaTopic, partitions, maxRecordBytes, recentEventIds));
    }
}
