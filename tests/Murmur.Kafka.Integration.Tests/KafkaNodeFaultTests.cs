using Confluent.Kafka;
using Murmur.Causality;
using Murmur.KafkaMock;
using Xunit.Abstractions;

namespace Murmur.Kafka.Integration.Tests;

/// <summary>
/// Two nodes on one topic over Kafka while the mock cluster misbehaves — leader errors and a moved leader, the
/// topic's leader broker down and up, slow brokers — with the guarantees the NATS kill tests give: every event
/// delivered on both nodes, once, each sender's events in order, no dead letters.
/// </summary>
public sealed class KafkaNodeFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static Task<MurmurNode> NodeAsync(FaultCluster cluster, string name) => MurmurNode.StartAsync(o =>
    {
        o.UseKafka(cluster.Options);
        o.Options = o.Options with { NodeId = name, Runtime = o.Options.Runtime with { LoggerFactory = cluster.Logs } };
    });

    [Fact]
    public async Task TwoNodes_ThroughLeaderErrorsABrokerOutageAndSlowBrokers_DeliverEveryEventOnceInOrder()
    {
        const int Chunk = 150;
        await using var cluster = new FaultCluster();
        var name = $"node-faults-{Guid.NewGuid():N}";
        var partition = KafkaPartitioning.PartitionOf(name, FaultCluster.Partitions);
        var leader = partition + 1;
        cluster.Mock.SetPartitionLeader(FaultCluster.KafkaTopic, partition, leader);
        await using var n1 = await NodeAsync(cluster, "kf1");
        await using var n2 = await NodeAsync(cluster, "kf2");
        var t1 = await n1.OpenTopicAsync(name);
        var t2 = await n2.OpenTopicAsync(name);
        var a = await n1.SpawnAsync("A", () => new Talker(), t1);
        var b = await n2.SpawnAsync("B", () => new Talker(), t2);
        var sent = 0;
        async Task RoundAsync(string what, Func<Task>? during = null)
        {
            var sendA = n1.Runtime.AskAsync<int>(a, Chunk, Patience);
            var sendB = n2.Runtime.AskAsync<int>(b, Chunk, Patience);
            sent += Chunk;
            if (during is not null)
            {
                await during();
            }
            var expected = 2 + (2 * sent);
            try
            {
                await Task.WhenAll(t1.WaitForDeliveredAsync(expected), t2.WaitForDeliveredAsync(expected), sendA, sendB).WaitAsync(Patience);
            }
            catch (TimeoutException)
            {
                output.WriteLine($"{what}: delivered {t1.DeliveredCount} / {t2.DeliveredCount} of {expected}");
                throw;
            }
            output.WriteLine($"{what}: both nodes delivered {expected}");
        }
        try
        {
            await RoundAsync("calm");
            var notLeader = Enumerable.Repeat(ErrorCode.NotLeaderForPartition, 4).ToArray();
            cluster.Mock.PushRequestErrors(KafkaApi.Produce, notLeader);
            cluster.Mock.PushRequestErrors(KafkaApi.Fetch, notLeader);
            cluster.Mock.PushRequestErrors(KafkaApi.ListOffsets, notLeader);
            leader = 1 + (leader % 3);
            cluster.Mock.SetPartitionLeader(FaultCluster.KafkaTopic, partition, leader);
            await RoundAsync("leader errors and a moved leader");
            await RoundAsync("broker down and up", async () =>
            {
                cluster.Mock.SetBrokerDown(leader);
                await cluster.WaitForLineAsync(l => l.Contains("Connection refused", StringComparison.OrdinalIgnoreCase) || l.Contains("Local_Transport", StringComparison.Ordinal), Patience);
                cluster.Mock.SetBrokerUp(leader);
            });
            cluster.Mock.SetRoundTrip(-1, TimeSpan.FromMilliseconds(50));
            await RoundAsync("slow brokers");
            cluster.Mock.SetRoundTrip(-1, TimeSpan.Zero);
        }
        catch
        {
            foreach (var line in cluster.Logs.Lines.Where(l => !l.Contains(" Debug ", StringComparison.Ordinal)).TakeLast(200))
            {
                output.WriteLine(line);
            }
            throw;
        }
        var total = 2 + (2 * sent);
        foreach (var history in new[] { t1.History, t2.History })
        {
            Assert.Equal(total, history.Count);                                   // nothing lost
            Assert.Equal(total, history.Select(e => e.EventId).Distinct().Count()); // nothing twice
            var roster = Roster.FromJoins(history);
            var next = new ulong[roster.Count];
            foreach (var e in history)
            {
                var index = roster.IndexOf(e.Actor);
                Assert.Equal(next[index] + 1, e.Clock[index]); // each sender's events complete and in order
                next[index]++;
            }
        }
        Assert.Empty(n1.DeadLetters.Items);
        Assert.Empty(n2.DeadLetters.Items);
    }
}
