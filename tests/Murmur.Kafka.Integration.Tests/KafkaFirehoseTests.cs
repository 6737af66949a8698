using Murmur.Agents;
using Murmur.Topics;
using Xunit.Abstractions;

namespace Murmur.Kafka.Integration.Tests;

/// <summary>A node follows all of its topics through one Kafka consumer, however many topics it follows.</summary>
public sealed class KafkaFirehoseTests(ITestOutputHelper output)
{
    private const string KafkaTopic = "murmur-firehose";

    private static Task<MurmurNode> NodeAsync(string name)
    {
        KafkaBroker.EnsureTopic(KafkaTopic, 3);
        return MurmurNode.StartAsync(o =>
        {
            o.UseKafka(KafkaBroker.Options(KafkaTopic));
            o.Options = o.Options with { NodeId = name };
        });
    }

    [Fact]
    public async Task TwentyTopics_OnTwoNodes_UseOneConsumerPerNode()
    {
        const int Topics = 20, PerAgent = 5;
        await using var n1 = await NodeAsync("fh1");
        await using var n2 = await NodeAsync("fh2");
        var run = Guid.NewGuid().ToString("N")[..8];
        var pairs = new List<(Topic A, Topic B, AgentRef SenderA, AgentRef SenderB)>();
        for (var i = 0; i < Topics; i++)
        {
            var name = $"fh-{run}-{i}";
            var a = await n1.OpenTopicAsync(name);
            var b = await n2.OpenTopicAsync(name);
            pairs.Add((a, b, await n1.SpawnAsync($"A{i}", () => new Talker(), a), await n2.SpawnAsync($"B{i}", () => new Talker(), b)));
        }
        await Task.WhenAll(pairs.SelectMany(p => new[] { n1.Runtime.AskAsync<int>(p.SenderA, PerAgent, TimeSpan.FromMinutes(1)), n2.Runtime.AskAsync<int>(p.SenderB, PerAgent, TimeSpan.FromMinutes(1)) }));
        const int Expected = 2 + (2 * PerAgent);
        await Task.WhenAll(pairs.SelectMany(p => new[] { p.A.WaitForDeliveredAsync(Expected), p.B.WaitForDeliveredAsync(Expected) })).WaitAsync(TimeSpan.FromMinutes(1));
        foreach (var node in new[] { n1, n2 })
        {
            var log = Assert.IsType<KafkaEventLog>(node.Log);
            output.WriteLine($"{node.NodeId}: {log.OpenConsumers} consumer open, {log.ConsumersCreated} created for {Topics} topics");
            // Live, every topic comes through the one firehose consumer; each topic's catch-up read held one only while it ran.
            Assert.Equal(1, log.OpenConsumers);
            Assert.True(log.ConsumersCreated <= 4 * (Topics + 2), $"{node.NodeId}: {log.ConsumersCreated} consumers created for {Topics} topics");
        }
        Assert.All(pairs, p => Assert.Equal(p.A.History.Select(e => e.EventId).Order(), p.B.History.Select(e => e.EventId).Order()));
    }
}
