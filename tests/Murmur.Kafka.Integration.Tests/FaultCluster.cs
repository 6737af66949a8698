using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using Murmur.KafkaMock;
using Murmur.Logs;
using Murmur.Nats.Integration.Tests;

namespace Murmur.Kafka.Integration.Tests;

/// <summary>A mock Kafka cluster of one test's own (faults injected into it touch no other test), with the logs on it.</summary>
public sealed class FaultCluster : IAsyncDisposable
{
    public const string KafkaTopic = "murmur-faults";
    public const int Partitions = 3;
    private readonly List<KafkaEventLog> _logs = [];

    public FaultCluster()
    {
        Mock = MockKafkaCluster.Start(3);
        Mock.CreateTopic(KafkaTopic, Partitions);
    }

    public MockKafkaCluster Mock { get; }

    /// <summary>Every line the logs wrote (librdkafka's included), from Debug up.</summary>
    public RecordingLoggerFactory Logs { get; } = new(LogLevel.Debug);

    public KafkaEventLogOptions Options => new()
    {
        BootstrapServers = Mock.Bootstrap,
        KafkaTopic = KafkaTopic,
        Partitions = Partitions,
        RequestTimeout = TimeSpan.FromSeconds(15),
        LoggerFactory = Logs,
    };

    public async Task<KafkaEventLog> ConnectAsync()
    {
        var log = await KafkaEventLog.ConnectAsync(Options);
        _logs.Add(log);
        return log;
    }

    /// <summary>Topic names that cover every partition (one per partition, then more).</summary>
    public static string[] TopicsOverEveryPartition(int count)
    {
        var topics = new List<string>();
        var covered = new HashSet<int>();
        for (var i = 0; topics.Count < count; i++)
        {
            var name = $"fault-{i}-{Guid.NewGuid():N}"[..24];
            var partition = KafkaPartitioning.PartitionOf(name, Partitions);
            if (covered.Count < Partitions && !covered.Add(partition))
            {
                continue;
            }
            topics.Add(name);
        }
        return [.. topics];
    }

    /// <summary>Completes when a log line matches <paramref name="match"/> (e.g. librdkafka noticing a broker went down).</summary>
    public async Task WaitForLineAsync(Func<string, bool> match, TimeSpan patience)
    {
        using var cts = new CancellationTokenSource(patience);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            if (Logs.Lines.Any(match))
            {
                arrived.TrySetResult();
            }
        }
        Logs.LineAdded += Check;
        try
        {
            Check();
            await arrived.Task.WaitAsync(cts.Token);
        }
        finally
        {
            Logs.LineAdded -= Check;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var log in _logs)
        {
            await log.DisposeAsync();
        }
        Mock.Dispose();
    }

    public static LogRecord Record(string id) => new(id, Encoding.UTF8.GetBytes($"{{\"event_id\":\"{id}\"}}"));

    /// <summary>Appends, retrying a failure with the same event id as a node does; the log keeps one copy for readers.</summary>
    public static async Task<long> AppendAsync(IEventLog log, string topic, LogRecord record, ConcurrentQueue<string> failures)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await log.AppendAsync(topic, record);
            }
            catch (EventLogException ex) when (attempt < 10 && !ex.IsConfigurationError)
            {
                failures.Enqueue(ex.Message);
            }
        }
    }
}
