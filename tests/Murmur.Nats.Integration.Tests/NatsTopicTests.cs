using System.Text.Json;
using Murmur.Agents;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Topics;

namespace Murmur.Nats.Integration.Tests;

/// <summary>Topics across nodes over the real three-server cluster.</summary>
public sealed class NatsTopicTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly RecordingLoggerFactory Logs = new(Microsoft.Extensions.Logging.LogLevel.Information);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private static Task<MurmurNode> NodeAsync(string name, string stream, int window = 10_000) => MurmurNode.StartAsync(o =>
    {
        o.UseNats(NatsCluster.Options(stream));
        o.Options = o.Options with
        {
            NodeId = name,
            AppendAttempts = 20,
            History = new HistoryOptions { MaxEvents = window },
            Runtime = o.Options.Runtime with { LoggerFactory = Logs },
        };
    });

    /// <summary>Publishes <c>count</c> numbered events when told to; records every event it is handed.</summary>
    private sealed class Talker(List<AgentEvent> seen) : Agent
    {
        protected override ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
        {
            lock (seen)
            {
                seen.AddRange(view.New);
            }
            return ValueTask.CompletedTask;
        }

        protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        {
            if (message is int count)
            {
                for (var i = 0; i < count; i++)
                {
                    await Topics[0].PublishAsync("say", new { i }, cancellationToken: cancellationToken);
                }
                Context.Reply(count);
            }
        }
    }

    /// <summary>Records what it is handed; completes <c>done</c> once it holds <c>count</c> events.</summary>
    private sealed class Counting(List<AgentEvent> seen, int count, TaskCompletionSource done) : Agent
    {
        protected override ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
        {
            lock (seen)
            {
                seen.AddRange(view.New);
                if (seen.Count >= count)
                {
                    done.TrySetResult();
                }
            }
            return ValueTask.CompletedTask;
        }
    }

    private static void AssertExactlyOnceInCausalOrder(IReadOnlyList<AgentEvent> seen, int expected)
    {
        Assert.Equal(expected, seen.Count);
        Assert.Equal(expected, seen.Select(e => e.EventId).Distinct().Count());
        for (var i = 1; i < seen.Count; i++)
        {
            // Happens-before is never violated between neighbours (checked fully on a sample below).
            Assert.NotEqual(ClockOrder.After, seen[i - 1].Clock.Compare(seen[i].Clock));
        }
        var sample = seen.Where((_, i) => i % 97 == 0).ToList();
        for (var i = 0; i < sample.Count; i++)
        {
            for (var j = i + 1; j < sample.Count; j++)
            {
                Assert.NotEqual(ClockOrder.Before, sample[j].Clock.Compare(sample[i].Clock));
            }
        }
    }

    [Fact]
    public async Task TwoNodes_ExchangeTenThousandEvents_WhileAServerIsKilledAndRestarted_ExactlyOnceInCausalOrder()
    {
        const int PerNode = 5_000;
        var stream = "MURMUR_FAULT";
        await using var n1 = await NodeAsync("n1", stream);
        await using var n2 = await NodeAsync("n2", stream);
        var topic = $"fault-{Guid.NewGuid():N}";
        var t1 = await n1.OpenTopicAsync(topic);
        var t2 = await n2.OpenTopicAsync(topic);
        var seenA = new List<AgentEvent>();
        var seenB = new List<AgentEvent>();
        var a = await n1.SpawnAsync("A", () => new Talker(seenA), t1);
        var b = await n2.SpawnAsync("B", () => new Talker(seenB), t2);
        var sendA = n1.Runtime.AskAsync<int>(a, PerNode, Patience);
        var sendB = n2.Runtime.AskAsync<int>(b, PerNode, Patience);
        await t1.WaitForDeliveredAsync(2 + 1000).WaitAsync(Patience);
        var victim = 1 + Random.Shared.Next(3);
        NatsCluster.Kill(victim);
        output.WriteLine($"killed n{victim}");
        try
        {
            await t1.WaitForDeliveredAsync(2 + 4000).WaitAsync(Patience);
        }
        catch
        {
            output.WriteLine($"t1 {t1.DeliveredCount} t2 {t2.DeliveredCount}");
            foreach (var line in Logs.Lines.TakeLast(300))
            {
                output.WriteLine(line);
            }
            throw;
        }
        finally
        {
            await NatsCluster.RestartAsync(victim);
        }
        const int Total = 2 + (2 * PerNode);
        try
        {
            await Task.WhenAll(sendA, sendB).WaitAsync(Patience);
            await t1.WaitForDeliveredAsync(Total).WaitAsync(Patience);
            await t2.WaitForDeliveredAsync(Total).WaitAsync(Patience);
        }
        catch
        {
            output.WriteLine($"t1 {t1.DeliveredCount} t2 {t2.DeliveredCount} read {t1.ReadPosition} / {t2.ReadPosition} buffer {t1.Buffer} / {t2.Buffer}");
            var missing = t1.History.Select(e => e.EventId).Except(t2.History.Select(e => e.EventId)).ToList();
            output.WriteLine($"missing on n2: {missing.Count}: {string.Join(" ", t1.History.Where(e => missing.Contains(e.EventId)).Take(10).Select(e => e.Actor + e.Clock))}");
            foreach (var line in Logs.Lines.TakeLast(300))
            {
                output.WriteLine(line);
            }
            throw;
        }
        Assert.Equal(Total, t1.DeliveredCount);
        Assert.Equal(Total, t2.DeliveredCount);
        // The nodes keep a window of the topic; the whole of it is read back (over NATS, validated and causally ordered again).
        var h1 = await ReadAllAsync(t1);
        var h2 = await ReadAllAsync(t2);
        AssertPerSenderSequence(h1);
        AssertPerSenderSequence(h2);
        AssertExactlyOnceInCausalOrder(h1, Total);
        AssertExactlyOnceInCausalOrder(h2, Total);
        Assert.Empty(n1.DeadLetters.Items);
        Assert.Empty(n2.DeadLetters.Items);
    }

    private static async Task<List<AgentEvent>> ReadAllAsync(Topic topic)
    {
        var all = new List<AgentEvent>();
        await foreach (var e in topic.ReadHistoryAsync())
        {
            all.Add(e);
        }
        return all;
    }

    /// <summary>Each sender's events arrive with its own clock entry 1, 2, 3… — none lost, none twice, none reordered.</summary>
    private static void AssertPerSenderSequence(IReadOnlyList<AgentEvent> history)
    {
        var roster = Roster.FromJoins(history);
        var next = new ulong[roster.Count];
        foreach (var e in history)
        {
            var index = roster.IndexOf(e.Actor);
            Assert.Equal(next[index] + 1, e.Clock[index]);
            next[index]++;
        }
    }

    [Fact]
    public async Task NodeOverNats_RestartedFromScratch_RebuildsTheTopic()
    {
        var stream = "MURMUR_REBUILD";
        var topic = $"rebuild-{Guid.NewGuid():N}";
        var seen = new List<AgentEvent>();
        await using (var first = await NodeAsync("first", stream))
        {
            var t = await first.OpenTopicAsync(topic);
            var a = await first.SpawnAsync("A", () => new Talker(seen), t);
            await first.Runtime.AskAsync<int>(a, 25, Patience);
        }
        await using var second = await NodeAsync("second", stream);
        var again = await second.OpenTopicAsync(topic);
        Assert.Equal(26, again.DeliveredCount);
        Assert.Equal(["A"], again.Roster.Members);
        Assert.Equal(Enumerable.Range(0, 25), again.History.Skip(1).Select(e => JsonDocument.Parse(e.Payload).RootElement.GetProperty("i").GetInt32()));
    }

    [Fact]
    public async Task ATrimmedTopic_IsReadBackWhole_FromNats_AndALateJoinerGetsEveryEventOnce()
    {
        var stream = "MURMUR_TRIM";
        var topic = $"trim-{Guid.NewGuid():N}";
        await using var node = await NodeAsync("trimmer", stream, window: 100);
        var t = await node.OpenTopicAsync(topic);
        var a = await node.SpawnAsync("A", () => new Talker([]), t);
        await node.Runtime.AskAsync<int>(a, 3_000, Patience);
        await t.WaitForDeliveredAsync(3_001).WaitAsync(Patience);
        Assert.True(t.Trimmed > 2_800, $"trimmed {t.Trimmed}");

        var all = new List<AgentEvent>();
        await foreach (var e in t.ReadHistoryAsync())
        {
            all.Add(e);
        }
        Assert.Equal(3_001, all.Count);
        Assert.Equal(Enumerable.Range(0, 3_000), all.Skip(1).Select(e => JsonDocument.Parse(e.Payload).RootElement.GetProperty("i").GetInt32()));

        var late = new List<AgentEvent>();
        var complete = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await node.SpawnAsync("B", () => new Counting(late, 3_002, complete), t);
        await complete.Task.WaitAsync(Patience);
        lock (late)
        {
            AssertExactlyOnceInCausalOrder(late, 3_002);
        }
    }
}
