using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Murmur.KafkaMock;
using Murmur.Logs;
using Xunit.Abstractions;

namespace Murmur.Kafka.Integration.Tests;

/// <summary>
/// The Kafka log under the mock cluster's faults: leader errors on Produce, Fetch and ListOffsets and moved leaders,
/// a broker down and up, added round-trip time. Followers, bounded reads, end queries and the firehose each see every
/// appended record exactly once, in order.
/// </summary>
public sealed class KafkaLogFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>What readers of one log saw while the faults happened.</summary>
    private sealed class Readers : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new(Patience * 3);
        private readonly List<Task> _tasks = [];
        private readonly object _gate = new();
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentDictionary<string, List<LogEntry>> Followed { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, List<LogEntry>> Firehose { get; } = new(StringComparer.Ordinal);

        public static async Task<Readers> StartAsync(IEventLog log, IEnumerable<string> topics)
        {
            var readers = new Readers();
            var firehose = await log.OpenFirehoseAsync() ?? throw new InvalidOperationException("the Kafka log offers a firehose");
            readers._tasks.Add(Task.Run(async () =>
            {
                await using (firehose)
                {
                    await foreach (var item in firehose.ReadAsync(readers._stop.Token))
                    {
                        var list = readers.Firehose.GetOrAdd(item.Topic, _ => []);
                        lock (list)
                        {
                            list.Add(item.Entry);
                        }
                        readers.Changed();
                    }
                }
            }));
            foreach (var topic in topics)
            {
                var list = readers.Followed.GetOrAdd(topic, _ => []);
                readers._tasks.Add(Task.Run(async () =>
                {
                    await foreach (var entry in log.ReadAsync(topic, 1, follow: true, readers._stop.Token))
                    {
                        lock (list)
                        {
                            list.Add(entry);
                        }
                        readers.Changed();
                    }
                }));
            }
            return readers;
        }

        /// <summary>Waits until every topic's follower and the firehose hold the appended records of it (on the readers' own signal).</summary>
        public async Task WaitForAsync(IReadOnlyDictionary<string, List<string>> appended)
        {
            using var timeout = new CancellationTokenSource(Patience);
            while (true)
            {
                Task changed;
                lock (_gate)
                {
                    changed = _changed.Task;
                }
                if (appended.All(p => Count(Followed, p.Key) >= p.Value.Count && Count(Firehose, p.Key) >= p.Value.Count))
                {
                    return;
                }
                if (_tasks.FirstOrDefault(t => t.IsCompleted) is { } ended)
                {
                    await ended; // a reader that ended early: its exception is the failure
                    throw new InvalidOperationException("a reader ended early");
                }
                await Task.WhenAny(changed, Task.WhenAny(_tasks)).WaitAsync(timeout.Token);
            }
        }

        private void Changed()
        {
            TaskCompletionSource changed;
            lock (_gate)
            {
                changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            changed.TrySetResult();
        }

        private static int Count(ConcurrentDictionary<string, List<LogEntry>> seen, string topic)
        {
            if (!seen.TryGetValue(topic, out var list))
            {
                return 0;
            }
            lock (list)
            {
                return list.Select(e => e.EventId).Distinct().Count();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            foreach (var task in _tasks)
            {
                try
                {
                    await task;
                }
                catch (OperationCanceledException)
                {
                }
            }
            _stop.Dispose();
        }
    }

    private static void AssertExactlyOnceInOrder(IReadOnlyDictionary<string, List<string>> appended, ConcurrentDictionary<string, List<LogEntry>> seen, string who)
    {
        foreach (var (topic, ids) in appended)
        {
            var list = seen[topic];
            lock (list)
            {
                Assert.True(ids.SequenceEqual(list.Select(e => e.EventId)), $"{who} of {topic}: expected {ids.Count} records once, in order; got [{string.Join(",", list.Select(e => e.EventId))}]");
                Assert.True(list.Zip(list.Skip(1)).All(p => p.First.Position < p.Second.Position), $"{who} of {topic}: positions must increase");
            }
        }
    }

    private async Task AssertBoundedReadsAsync(IEventLog log, IReadOnlyDictionary<string, List<string>> appended, IReadOnlyDictionary<string, long> last)
    {
        foreach (var (topic, ids) in appended)
        {
            var read = new List<LogEntry>();
            await foreach (var entry in log.ReadAsync(topic))
            {
                read.Add(entry);
            }
            Assert.Equal(ids, read.Select(e => e.EventId));
            Assert.Equal(last[topic], await log.GetEndPositionAsync(topic));
        }
    }

    private void Print(FaultCluster cluster, ConcurrentQueue<string> failures)
    {
        output.WriteLine($"append failures retried by the test: {failures.Count}");
        foreach (var failure in failures.Take(20))
        {
            output.WriteLine("  " + failure);
        }
        foreach (var line in cluster.Logs.Lines.Where(l => l.Contains("Murmur.Kafka", StringComparison.Ordinal) && !l.Contains("librdkafka", StringComparison.Ordinal)).Take(60))
        {
            output.WriteLine(line);
        }
    }

    [Fact]
    public async Task LeaderErrorsOnProduceFetchAndListOffsets_AndMovedLeaders_NothingLostNothingTwice_ReadsRetried()
    {
        await using var cluster = new FaultCluster();
        var writer = await cluster.ConnectAsync();
        var reader = await cluster.ConnectAsync();
        var topics = FaultCluster.TopicsOverEveryPartition(4);
        var appended = topics.ToDictionary(t => t, _ => new List<string>(), StringComparer.Ordinal);
        var last = new Dictionary<string, long>(StringComparer.Ordinal);
        var failures = new ConcurrentQueue<string>();
        await using var readers = await Readers.StartAsync(reader, topics);
        try
        {
            for (var round = 0; round < 3; round++)
            {
                var notLeader = Enumerable.Repeat(ErrorCode.NotLeaderForPartition, 3).ToArray();
                cluster.Mock.PushRequestErrors(KafkaApi.Produce, notLeader);
                cluster.Mock.PushRequestErrors(KafkaApi.Fetch, notLeader);
                cluster.Mock.PushRequestErrors(KafkaApi.ListOffsets, notLeader);
                cluster.Mock.SetPartitionLeader(FaultCluster.KafkaTopic, round % FaultCluster.Partitions, 1 + ((round + 1) % 3));
                for (var i = 0; i < 20; i++)
                {
                    foreach (var topic in topics)
                    {
                        var id = $"r{round}-{i}";
                        last[topic] = await FaultCluster.AppendAsync(writer, topic, FaultCluster.Record(id), failures);
                        appended[topic].Add(id);
                    }
                }
                // Reads while ListOffsets still answers "not leader": they retry instead of failing.
                cluster.Mock.PushRequestErrors(KafkaApi.ListOffsets, notLeader);
                await AssertBoundedReadsAsync(reader, appended, last);
            }
            await readers.WaitForAsync(appended);
        }
        catch
        {
            Print(cluster, failures);
            throw;
        }
        Print(cluster, failures);
        AssertExactlyOnceInOrder(appended, readers.Followed, "follower");
        AssertExactlyOnceInOrder(appended, readers.Firehose, "firehose");
        Assert.Contains(cluster.Logs.Lines, l => l.Contains("A request about Kafka topic", StringComparison.Ordinal) && l.Contains("NotLeaderForPartition", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABrokerDownAndUp_AppendsWaitAndReadsRetry_NothingLostNothingTwice()
    {
        await using var cluster = new FaultCluster();
        for (var p = 0; p < FaultCluster.Partitions; p++)
        {
            cluster.Mock.SetPartitionLeader(FaultCluster.KafkaTopic, p, p + 1);
        }
        var writer = await cluster.ConnectAsync();
        var reader = await cluster.ConnectAsync();
        var topics = FaultCluster.TopicsOverEveryPartition(3);
        var appended = topics.ToDictionary(t => t, _ => new List<string>(), StringComparer.Ordinal);
        var last = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var failures = new ConcurrentQueue<string>();
        await using var readers = await Readers.StartAsync(reader, topics);
        async Task AppendRoundAsync(string prefix, int count)
        {
            await Task.WhenAll(topics.Select(async topic =>
            {
                for (var i = 0; i < count; i++)
                {
                    var id = $"{prefix}-{i}";
                    last[topic] = await FaultCluster.AppendAsync(writer, topic, FaultCluster.Record(id), failures);
                    lock (appended[topic])
                    {
                        appended[topic].Add(id);
                    }
                }
            }));
        }
        try
        {
            await AppendRoundAsync("before", 30);
            // Broker 2 leads partition 1: its appends, fetches and offset queries wait for it to come back.
            cluster.Mock.SetBrokerDown(2);
            var during = AppendRoundAsync("during", 30);
            var onDownPartition = topics.First(t => KafkaPartitioning.PartitionOf(t, FaultCluster.Partitions) == 1);
            var lastBefore = last[onDownPartition];
            var end = writer.GetEndPositionAsync(onDownPartition).AsTask();
            await cluster.WaitForLineAsync(l => l.Contains("Connection refused", StringComparison.OrdinalIgnoreCase) || l.Contains("Local_Transport", StringComparison.Ordinal), Patience);
            Assert.False(during.IsCompleted, "appends to the partition whose leader is down cannot be acknowledged");
            cluster.Mock.SetBrokerUp(2);
            await during.WaitAsync(Patience);
            Assert.InRange(await end.WaitAsync(Patience), lastBefore, long.MaxValue); // the end query retried across the outage
            await AppendRoundAsync("after", 30);
            await readers.WaitForAsync(appended);
            await AssertBoundedReadsAsync(reader, appended, last);
        }
        catch
        {
            Print(cluster, failures);
            throw;
        }
        Print(cluster, failures);
        AssertExactlyOnceInOrder(appended, readers.Followed, "follower");
        AssertExactlyOnceInOrder(appended, readers.Firehose, "firehose");
    }

    [Fact]
    public async Task AddedRoundTripTime_SlowsAppends_AndNothingIsLost()
    {
        await using var cluster = new FaultCluster();
        var writer = await cluster.ConnectAsync();
        var reader = await cluster.ConnectAsync();
        var topics = FaultCluster.TopicsOverEveryPartition(3);
        var appended = topics.ToDictionary(t => t, _ => new List<string>(), StringComparer.Ordinal);
        var last = new Dictionary<string, long>(StringComparer.Ordinal);
        var failures = new ConcurrentQueue<string>();
        await using var readers = await Readers.StartAsync(reader, topics);
        var rtt = TimeSpan.FromMilliseconds(250);
        cluster.Mock.SetRoundTrip(-1, rtt);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 4; i++)
        {
            foreach (var topic in topics)
            {
                last[topic] = await FaultCluster.AppendAsync(writer, topic, FaultCluster.Record($"slow-{i}"), failures);
                appended[topic].Add($"slow-{i}");
            }
        }
        var perAppend = clock.Elapsed / (4 * topics.Length);
        output.WriteLine($"append with {rtt.TotalMilliseconds} ms added round trip: {perAppend.TotalMilliseconds:F0} ms each");
        Assert.True(perAppend >= rtt, $"each acknowledged append waits for a round trip ({perAppend})");
        await AssertBoundedReadsAsync(reader, appended, last);
        cluster.Mock.SetRoundTrip(-1, TimeSpan.Zero);
        await readers.WaitForAsync(appended);
        AssertExactlyOnceInOrder(appended, readers.Followed, "follower");
        AssertExactlyOnceInOrder(appended, readers.Firehose, "firehose");
        Assert.Empty(failures);
    }
}
