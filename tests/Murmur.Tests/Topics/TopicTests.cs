using System.Text;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.Tests.Topics;

public sealed class TopicTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static Task<MurmurNode> NodeAsync(InMemoryEventLog log, string name) => MurmurNode.StartAsync(o =>
    {
        o.UseInMemoryLog(log);
        o.Options = o.Options with { NodeId = name };
    });

    /// <summary>Every delivered history respects happens-before: no event before one whose clock precedes it.</summary>
    internal static void AssertCausal(IReadOnlyList<AgentEvent> history)
    {
        for (var i = 0; i < history.Count; i++)
        {
            for (var j = i + 1; j < history.Count; j++)
            {
                Assert.False(history[j].Clock.Compare(history[i].Clock) == ClockOrder.Before,
                    $"{history[j].EventId} {history[j].Clock} happened before {history[i].EventId} {history[i].Clock} but was delivered after it");
            }
        }
        Assert.Equal(history.Count, history.Select(e => e.EventId).Distinct().Count());
    }

    [Fact]
    public async Task TwoAgentsOnOneNode_GossipPingPong_EveryEventDeliveredOnceInCausalOrder()
    {
        var seen = new Seen();
        await using var node = await MurmurNode.StartAsync();
        var topic = await node.OpenTopicAsync("pingpong");
        var a = await node.SpawnAsync("A", () => new Echo(seen, limit: 20), topic);
        await node.SpawnAsync("B", () => new Echo(seen, limit: 20), topic);
        await node.Runtime.AskAsync<AgentEvent>(a, "ping");
        await topic.WaitForDeliveredAsync(2 + 21).WaitAsync(Patience); // 2 JOINs, ping 0, then 20 answers
        var history = topic.History;
        Assert.Equal(["JOIN", "JOIN"], history.Take(2).Select(e => e.Action));
        Assert.Equal(["A", "B"], topic.Roster.Members);
        AssertCausal(history);
        var chain = history.Skip(2).ToList();
        Assert.Equal(Enumerable.Range(0, 21), chain.Select(Echo.N));
        for (var i = 1; i < chain.Count; i++)
        {
            Assert.Equal(ClockOrder.Before, chain[i - 1].Clock.Compare(chain[i].Clock)); // each answer happened after what it answers
        }
        Assert.Equal(2, node.PublishedCount - 19); // 21 published events: A's ping plus 20 answers
    }

    [Fact]
    public async Task TwoNodesOnOneLog_DeriveTheSameRosterAndDeliverCausally()
    {
        var log = new InMemoryEventLog();
        var seen = new Seen();
        await using var n1 = await NodeAsync(log, "n1");
        await using var n2 = await NodeAsync(log, "n2");
        var t1 = await n1.OpenTopicAsync("mesh");
        var t2 = await n2.OpenTopicAsync("mesh");
        var a = await n1.SpawnAsync("A", () => new Echo(seen, limit: 30, partner: "B"), t1);
        await n2.SpawnAsync("B", () => new Echo(seen, limit: 30, partner: "A"), t2);
        var c = await n1.SpawnAsync("C", () => new Echo(seen, limit: 30, partner: "D"), t1);
        await n2.SpawnAsync("D", () => new Echo(seen, limit: 30, partner: "C"), t2);
        await n1.Runtime.AskAsync<AgentEvent>(a, "ping");
        await n1.Runtime.AskAsync<AgentEvent>(c, "ping");
        const int Total = 4 + (2 * 31); // four JOINs, two chains of a ping and 30 answers
        await t1.WaitForDeliveredAsync(Total).WaitAsync(Patience);
        await t2.WaitForDeliveredAsync(Total).WaitAsync(Patience);
        Assert.Equal(Total, await log.GetEndPositionAsync("mesh"));
        Assert.Equal(["A", "B", "C", "D"], t1.Roster.Members);
        Assert.Equal(t1.Roster.Members, t2.Roster.Members);
        AssertCausal(t1.History);
        AssertCausal(t2.History);
        Assert.Equal(t1.History.Select(e => e.EventId).Order(), t2.History.Select(e => e.EventId).Order());
    }

    [Fact]
    public async Task NodeRestartedFromScratch_RebuildsRosterAndHistory_AndARejoinContinuesTheSequence()
    {
        var log = new InMemoryEventLog();
        var seen = new Seen();
        await using (var first = await NodeAsync(log, "first"))
        {
            var topic = await first.OpenTopicAsync("durable");
            var a = await first.SpawnAsync("A", () => new Crashy(seen), topic);
            await first.SpawnAsync("B", () => new Crashy(seen), topic);
            await first.Runtime.AskAsync<AgentEvent>(a, "note");
            await first.Runtime.AskAsync<AgentEvent>(a, "note");
        }
        var replayed = new Seen();
        await using var second = await NodeAsync(log, "second");
        var again = await second.OpenTopicAsync("durable");
        Assert.Equal(["A", "B"], again.Roster.Members);
        Assert.Equal(4, again.DeliveredCount);
        var a2 = await second.SpawnAsync("A", () => new Crashy(replayed), again);
        var third = await second.Runtime.AskAsync<AgentEvent>(a2, "note");
        Assert.Equal(VectorClock.FromEntries(4, 1), third.Clock); // A's fourth event (JOIN, note, note, note), after B's JOIN
        Assert.Equal(5, await log.GetEndPositionAsync("durable")); // JOIN A, JOIN B, three notes: no second JOIN for A
        await replayed.WaitForAsync(third.EventId);
    }

    [Fact]
    public async Task AgentRestart_NewInstanceIsHandedTheHistoryAsReplay()
    {
        var seen = new Seen();
        await using var node = await MurmurNode.StartAsync();
        var topic = await node.OpenTopicAsync("replay");
        var a = await node.SpawnAsync("A", () => new Crashy(seen), topic);
        await node.Runtime.AskAsync<AgentEvent>(a, "note");
        await topic.WaitForDeliveredAsync(2).WaitAsync(Patience);
        a.Send("crash");
        var after = await node.Runtime.AskAsync<AgentEvent>(a, "after"); // handled by the new instance
        await topic.WaitForDeliveredAsync(3).WaitAsync(Patience);
        // The restarted instance got JOIN and "note" again, as replay, then its own "after" live.
        await seen.WaitForAsync(after.EventId);
        var replays = seen.Items.Where(s => s.Replay).Select(s => s.Event.Action).ToList();
        Assert.Equal(["JOIN", "note"], replays);
        Assert.Equal(ClockOrder.Before, topic.History[1].Clock.Compare(after.Clock));
    }

    [Fact]
    public async Task MalformedEventsInTheLog_AreDeadLettersWithReasons_AndTheTopicGoesOn()
    {
        var log = new InMemoryEventLog();
        var seen = new Seen();
        await using var node = await NodeAsync(log, "n");
        var topic = await node.OpenTopicAsync("hostile");
        var a = await node.SpawnAsync("A", () => new Crashy(seen), topic);
        await log.AppendAsync("hostile", new LogRecord("bad1", Encoding.UTF8.GetBytes("{\"event_id\":\"x\",")));
        await log.AppendAsync("hostile", new LogRecord("bad2", Encoding.UTF8.GetBytes("{\"event_id\":\"y\",\"actor\":\"A\",\"action\":\"M\",\"payload\":{},\"vector_clock\":[1e400]}")));
        await log.AppendAsync("hostile", new LogRecord("bad3", Encoding.UTF8.GetBytes("{\"event_id\":\"z\",\"actor\":\"A\",\"action\":\"M\",\"payload\":{},\"vector_clock\":[1],\"topic\":\"other\"}")));
        var ok = await node.Runtime.AskAsync<AgentEvent>(a, "fine");
        await topic.CatchUpAsync();
        Assert.Equal(3, node.DeadLetters.Count);
        var reasons = node.DeadLetters.Items.Select(d => d.Reason).ToList();
        Assert.Contains(reasons, r => r.Contains("vector_clock", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("'other'", StringComparison.Ordinal));
        Assert.Contains(topic.History, e => e.EventId == ok.EventId);
    }

    [Fact]
    public async Task SpoofedSequence_ConflictingEventsAreRefused_NotMerged()
    {
        var log = new InMemoryEventLog();
        var seen = new Seen();
        await using var node = await NodeAsync(log, "n");
        var topic = await node.OpenTopicAsync("conflict");
        var a = await node.SpawnAsync("A", () => new Crashy(seen), topic);
        var real = await node.Runtime.AskAsync<AgentEvent>(a, "real");
        var forged = new AgentEvent("forged", "A", "real", "{\"n\":666}"u8.ToArray(), real.Clock) { Topic = "conflict" };
        await log.AppendAsync("conflict", new LogRecord("forged", AgentEventCodec.Encode(forged)));
        await topic.CatchUpAsync();
        Assert.DoesNotContain(topic.History, e => e.EventId == "forged");
        Assert.Contains(node.DeadLetters.Items, d => d.EventId == "forged" && d.Reason.Contains("Conflict", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OpenTopic_InvalidNameOrOtherMode_IsRefusedClearly()
    {
        await using var node = await MurmurNode.StartAsync();
        await Assert.ThrowsAsync<InvalidTopicNameException>(() => node.OpenTopicAsync("no spaces"));
        await node.OpenTopicAsync("t", Consistency.Eventual);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => node.OpenTopicAsync("t", Consistency.Strict));
        Assert.Contains("already open on this node as Eventual", error.Message, StringComparison.Ordinal);
    }
}
