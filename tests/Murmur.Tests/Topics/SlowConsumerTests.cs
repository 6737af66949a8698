using System.Collections.Concurrent;
using System.Text.Json;
using Murmur.Agents;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.Tests.Topics;

/// <summary>
/// Flow control (<see cref="MurmurNodeOptions.MaxLag"/>): a consumer far slower than the rest holds back the producer
/// on its node and the node's reads from the log, its backlog never passes the bound, and nothing is dropped.
/// </summary>
public sealed class SlowConsumerTests
{
    private const int MaxLag = 20;
    private const int Events = 200;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Publishes <c>tick {i}</c> for i in 0..n-1 when asked with n, then replies n.</summary>
    private sealed class Producer : Agent
    {
        protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        {
            if (message is int n)
            {
                for (var i = 0; i < n; i++)
                {
                    await Topics[0].PublishAsync("tick", new { i }, cancellationToken: cancellationToken);
                }
                Context.Reply(n);
            }
        }
    }

    /// <summary>Records the ticks it is handed; when gated, takes one permit per tick first (the slow one).</summary>
    private sealed class Consumer(Ticks ticks, SemaphoreSlim? gate) : Agent
    {
        protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
        {
            foreach (var e in view.New.Where(e => e.Action == "tick"))
            {
                if (gate is not null)
                {
                    await gate.WaitAsync(cancellationToken);
                }
                ticks.Add(view.Member.Actor, e.GetPayload().GetProperty("i").GetInt32());
            }
        }
    }

    private sealed class Ticks
    {
        private readonly ConcurrentDictionary<string, List<int>> _by = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _all = new(StringComparer.Ordinal);

        public void Add(string agent, int i)
        {
            var list = _by.GetOrAdd(agent, _ => []);
            int count;
            lock (list)
            {
                list.Add(i);
                count = list.Count;
            }
            if (count == Events)
            {
                Done(agent).TrySetResult();
            }
        }

        public TaskCompletionSource Done(string agent) => _all.GetOrAdd(agent, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

        public List<int> Of(string agent)
        {
            var list = _by.GetOrAdd(agent, _ => []);
            lock (list)
            {
                return [.. list];
            }
        }
    }

    private static Task<MurmurNode> NodeAsync(InMemoryEventLog? log = null, string? id = null, int? maxLag = MaxLag) => MurmurNode.StartAsync(o =>
    {
        o.UseInMemoryLog(log);
        o.Options = o.Options with { MaxLag = maxLag, NodeId = id ?? "n1" };
    });

    [Fact]
    public async Task ASlowConsumer_HoldsBackTheProducerOnItsNode_AtMaxLag_AndEveryConsumerGetsEveryEventOnceInOrder()
    {
        await using var node = await NodeAsync();
        var topic = await node.OpenTopicAsync("flow");
        var ticks = new Ticks();
        using var gate = new SemaphoreSlim(0);
        await node.SpawnAsync("Slow", () => new Consumer(ticks, gate), topic);
        await node.SpawnAsync("Fast_1", () => new Consumer(ticks, null), topic);
        await node.SpawnAsync("Fast_2", () => new Consumer(ticks, null), topic);
        var producer = await node.SpawnAsync("Producer", () => new Producer(), topic);

        var published = node.Runtime.AskAsync<int>(producer, Events, Patience);
        await topic.Host.WaitUntilAsync(() => topic.BackpressureWaits > 0, CancellationToken.None).WaitAsync(Patience);

        Assert.False(published.IsCompleted);
        var history = topic.History;
        var before = history.Count(e => e.Action == "tick");
        // The slow one took a view and holds it; the producer got no further than the bound past what that view held
        // (under load the view may hold several ticks: the bound counts from what the member has taken).
        long taken;
        lock (topic.Host.Gate)
        {
            taken = topic.Host.MembersLocked.Single(m => m.Actor == "Slow").Delivery.DeliveredIndex;
        }
        var takenTicks = history.Take((int)taken).Count(e => e.Action == "tick");
        Assert.InRange(before, 1, takenTicks + MaxLag + 4);
        Assert.Empty(ticks.Of("Slow"));

        gate.Release(Events);
        Assert.Equal(Events, await published.WaitAsync(Patience));
        foreach (var agent in new[] { "Slow", "Fast_1", "Fast_2" })
        {
            await ticks.Done(agent).Task.WaitAsync(Patience);
            Assert.Equal(Enumerable.Range(0, Events), ticks.Of(agent));
        }
        Assert.InRange(topic.MaxLagSeen, 1, MaxLag);
        Assert.True(topic.BackpressureWaits >= 1);
    }

    [Fact]
    public async Task ASlowConsumer_StopsItsNodeReadingTheLog_SoTheBacklogStaysBounded_WhileAProducerElsewhereFinishes()
    {
        var log = new InMemoryEventLog();
        await using var producerNode = await NodeAsync(log, "producer-node", maxLag: null);
        await using var consumerNode = await NodeAsync(log, "consumer-node");
        var producerTopic = await producerNode.OpenTopicAsync("flow");
        var consumerTopic = await consumerNode.OpenTopicAsync("flow");
        var ticks = new Ticks();
        using var gate = new SemaphoreSlim(0);
        await consumerNode.SpawnAsync("Slow", () => new Consumer(ticks, gate), consumerTopic);
        await consumerNode.SpawnAsync("Fast_1", () => new Consumer(ticks, null), consumerTopic);
        var producer = await producerNode.SpawnAsync("Producer", () => new Producer(), producerTopic);

        Assert.Equal(Events, await producerNode.Runtime.AskAsync<int>(producer, Events, Patience)); // no slow member on its node: no backpressure there
        await consumerTopic.Host.WaitUntilAsync(() => consumerTopic.BackpressureWaits > 0, CancellationToken.None).WaitAsync(Patience);

        Assert.Equal(0, producerTopic.BackpressureWaits);
        Assert.InRange(consumerTopic.DeliveredCount, 1, (2 * MaxLag) + 4); // the log holds the rest, not this node's memory
        Assert.Equal(Events + 3, await log.GetEndPositionAsync("flow")); // 3 JOINs and every tick are in the log

        gate.Release(Events);
        foreach (var agent in new[] { "Slow", "Fast_1" })
        {
            await ticks.Done(agent).Task.WaitAsync(Patience);
            Assert.Equal(Enumerable.Range(0, Events), ticks.Of(agent));
        }
        Assert.InRange(consumerTopic.MaxLagSeen, 1, MaxLag);
    }

    [Fact]
    public async Task ASlowConsumerWhoseAgentStops_NoLongerHoldsAnyoneBack()
    {
        await using var node = await NodeAsync();
        var topic = await node.OpenTopicAsync("flow");
        var ticks = new Ticks();
        using var gate = new SemaphoreSlim(0);
        var slow = await node.SpawnAsync("Slow", () => new Consumer(ticks, gate), topic);
        await node.SpawnAsync("Fast_1", () => new Consumer(ticks, null), topic);
        var producer = await node.SpawnAsync("Producer", () => new Producer(), topic);
        var published = node.Runtime.AskAsync<int>(producer, Events, Patience);
        await topic.Host.WaitUntilAsync(() => topic.BackpressureWaits > 0, CancellationToken.None).WaitAsync(Patience);

        await node.Runtime.StopAsync(slow);

        Assert.Equal(Events, await published.WaitAsync(Patience));
        await ticks.Done("Fast_1").Task.WaitAsync(Patience);
        Assert.Equal(Enumerable.Range(0, Events), ticks.Of("Fast_1"));
    }

    [Fact]
    public async Task MaxLag_BelowOne_IsRefused()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => NodeAsync(maxLag: 0));
        Assert.Contains("MaxLag must be at least 1", error.Message, StringComparison.Ordinal);
        _ = JsonSerializer.Serialize(error.ActualValue);
    }
}
