using System.Text;
using Murmur.Agents;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Tests.Topics;

namespace Murmur.Tests.Fleet;

public sealed class FencingTests
{
    private static Task<MurmurNode> StartAsync(InMemoryEventLog log, string id)
        // Kept when the fenced copy stops: the tests check what every node, the zombie's too, reads afterwards.
        => MurmurNode.StartAsync(o => o.UseInMemoryLog(log).Configure(x => x with { NodeId = id, ReleaseTopicsWhenMembersStop = false }));

    /// <summary>Completes when <paramref name="agent"/> terminated (subscribed before it is checked, so no stop is missed).</summary>
    private static Task Terminated(MurmurNode node, AgentRef agent)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Runtime.AgentTerminated += r =>
        {
            if (ReferenceEquals(r, agent))
            {
                done.TrySetResult();
            }
        };
        if (!agent.IsAlive)
        {
            done.TrySetResult();
        }
        return done.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Claim_FencesTheOldOwner_StopsItsCopy_AndTheNewOwnerResumesAtTheNextEpoch()
    {
        var log = new InMemoryEventLog();
        await using var a = await StartAsync(log, "a");
        await using var b = await StartAsync(log, "b");
        var seen = new Seen();
        var topicA = await a.OpenTopicAsync("work");
        var worker = await a.SpawnAsync("Worker", () => new Crashy(seen), topicA);
        var watched = new Seen();
        await a.SpawnAsync("Watcher", () => new Crashy(watched), topicA); // stays on node a, which still follows the topic
        var first = await a.Runtime.AskAsync<AgentEvent>(worker, "FINDING");
        Assert.Null(first.Epoch);
        var stopped = Terminated(a, worker);
        var fenced = new TaskCompletionSource<AgentFencedException>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.AgentFenced += e => fenced.TrySetResult(e);

        var topicB = await b.OpenTopicAsync("work");
        Assert.Equal(("a", 1UL), MurmurNode.OwnerOf(topicB, "Worker"));
        Assert.Equal(2UL, await b.ClaimAsync(topicB, "Worker", fromNode: "a"));

        var notice = await fenced.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("Worker", notice.Agent);
        Assert.Equal("b", notice.Owner);
        Assert.Equal(2UL, notice.Epoch);
        await stopped;

        var resumed = await b.SpawnAsync("Worker", () => new Crashy(new Seen()), topicB);
        var second = await b.Runtime.AskAsync<AgentEvent>(resumed, "FINDING");
        Assert.Equal(2UL, second.Epoch);
        Assert.Equal(first.Clock[0] + 1, second.Clock[0]); // the sequence goes on from the old owner's last event
        await watched.WaitForAsync(second.EventId); // the old owner's node accepts the new epoch
    }

    [Fact]
    public async Task ZombieEvent_AfterTheClaim_IsRefusedByEveryNode_WithAFencedReason()
    {
        var log = new InMemoryEventLog();
        await using var a = await StartAsync(log, "a");
        await using var b = await StartAsync(log, "b");
        var topicA = await a.OpenTopicAsync("work");
        var worker = await a.SpawnAsync("Worker", () => new Crashy(new Seen()), topicA);
        await a.Runtime.AskAsync<AgentEvent>(worker, "FINDING");
        var topicB = await b.OpenTopicAsync("work");
        await b.ClaimAsync(topicB, "Worker");

        // What a paused owner writes when it continues: its old epoch (none = 1), the next sequence number.
        var zombie = new AgentEvent("evt_zombie", "Worker", "FINDING", Encoding.UTF8.GetBytes("{}"), VectorClock.FromEntries([2])) { Topic = "work" };
        var position = await log.AppendAsync("work", new LogRecord(zombie.EventId, AgentEventCodec.Encode(zombie)));
        await topicA.CatchUpAsync();
        await topicB.CatchUpAsync();

        foreach (var node in new[] { a, b })
        {
            var dead = Assert.Single(node.DeadLetters.Items, d => d.EventId == "evt_zombie");
            Assert.StartsWith("fenced: 'Worker' wrote at epoch 1, but node 'b' claimed epoch 2", dead.Reason, StringComparison.Ordinal);
            Assert.Equal(position, dead.Position);
        }
        Assert.DoesNotContain(topicB.History, e => e.EventId == "evt_zombie");
    }

    [Fact]
    public async Task ConcurrentClaims_OfOneEpoch_ExactlyOneNodeWins()
    {
        var log = new InMemoryEventLog();
        await using var a = await StartAsync(log, "a");
        await using var b = await StartAsync(log, "b");
        await using var c = await StartAsync(log, "c");
        var topicA = await a.OpenTopicAsync("work");
        await a.SpawnAsync("Worker", () => new Crashy(new Seen()), topicA);
        var topicB = await b.OpenTopicAsync("work");
        var topicC = await c.OpenTopicAsync("work");

        var results = await Task.WhenAll(b.ClaimAsync(topicB, "Worker", fromNode: "a"), c.ClaimAsync(topicC, "Worker", fromNode: "a"));

        Assert.Single(results, r => r == 2UL);
        Assert.Single(results, r => r is null);
        var winner = results[0] == 2UL ? "b" : "c";
        await topicA.CatchUpAsync();
        Assert.Equal((winner, 2UL), MurmurNode.OwnerOf(topicA, "Worker"));
        var claims = new List<string>();
        await foreach (var entry in log.ReadAsync("work"))
        {
            var e = AgentEventCodec.Decode(entry.Data.Span);
            if (e.Action == Actions.Claim)
            {
                claims.Add(e.EventId);
            }
        }
        Assert.Equal(["claim-Worker-e2"], claims);
    }

    [Fact]
    public async Task SecondClaimOfAnEpoch_UnderAnotherEventId_IsRefused_FirstInTheLogWins()
    {
        var log = new InMemoryEventLog();
        await using var a = await StartAsync(log, "a");
        var topic = await a.OpenTopicAsync("work");
        await a.SpawnAsync("Worker", () => new Crashy(new Seen()), topic);
        foreach (var (id, node) in new[] { ("claim-1", "b"), ("claim-2", "c") })
        {
            var claim = new AgentEvent(id, "Worker", Actions.Claim, Encoding.UTF8.GetBytes($$"""{"agent":"Worker","node":"{{node}}","epoch":2}"""), VectorClock.Empty) { Topic = "work" };
            await log.AppendAsync("work", new LogRecord(id, AgentEventCodec.Encode(claim)));
        }
        await topic.CatchUpAsync();
        Assert.Equal(("b", 2UL), MurmurNode.OwnerOf(topic, "Worker"));
        var dead = Assert.Single(a.DeadLetters.Items, d => d.EventId == "claim-2");
        Assert.Contains("epoch 2 of 'Worker' was already claimed by node 'b'", dead.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"agent":"Other","node":"b","epoch":2}""", "it claims 'Other' but its actor is 'Worker'")]
    [InlineData("""{"agent":"Worker","node":"b","epoch":1}""", "its epoch must be 2 or more")]
    [InlineData("""{"agent":"Worker","node":"b","epoch":3}""", "skips epoch 2")]
    [InlineData("""{"agent":"Worker","epoch":2}""", "needs 'agent' and 'node'")]
    [InlineData("""[1]""", "not a claim")]
    public async Task MalformedClaims_AreDeadLetters_AndChangeNoOwner(string payload, string reason)
    {
        var log = new InMemoryEventLog();
        await using var a = await StartAsync(log, "a");
        var topic = await a.OpenTopicAsync("work");
        await a.SpawnAsync("Worker", () => new Crashy(new Seen()), topic);
        var claim = new AgentEvent("bad-claim", "Worker", Actions.Claim, Encoding.UTF8.GetBytes(payload), VectorClock.Empty) { Topic = "work" };
        await log.AppendAsync("work", new LogRecord(claim.EventId, AgentEventCodec.Encode(claim)));
        await topic.CatchUpAsync();
        Assert.Contains(reason, Assert.Single(a.DeadLetters.Items).Reason, StringComparison.Ordinal);
        Assert.Equal(("a", 1UL), MurmurNode.OwnerOf(topic, "Worker"));
    }

    [Fact]
    public async Task SpawningATakenOverAgent_OnANodeThatDoesNotOwnIt_IsRefused()
    {
        var log = new InMemoryEventLog();
        await using var a = await StartAsync(log, "a");
        await using var b = await StartAsync(log, "b");
        var topicA = await a.OpenTopicAsync("work");
        var worker = await a.SpawnAsync("Worker", () => new Crashy(new Seen()), topicA);
        var stopped = Terminated(a, worker);
        var topicB = await b.OpenTopicAsync("work");
        await b.ClaimAsync(topicB, "Worker");
        await stopped;

        var refused = await Assert.ThrowsAsync<AgentFencedException>(() => a.SpawnAsync("Worker", () => new Crashy(new Seen()), topicA));
        Assert.Equal("b", refused.Owner);
        Assert.Equal(2UL, refused.Epoch);
    }

    [Fact]
    public async Task Claim_WhenTheExpectedOwnerNoLongerOwnsIt_DoesNotClaim()
    {
        var log = new InMemoryEventLog();
        await using var a = await StartAsync(log, "a");
        await using var b = await StartAsync(log, "b");
        var topicA = await a.OpenTopicAsync("work");
        await a.SpawnAsync("Worker", () => new Crashy(new Seen()), topicA);
        var topicB = await b.OpenTopicAsync("work");
        Assert.Null(await b.ClaimAsync(topicB, "Worker", fromNode: "z"));
        Assert.Equal(("a", 1UL), MurmurNode.OwnerOf(topicB, "Worker"));
    }

    [Fact]
    public void Epoch_RoundTripsThroughTheCodec_AndIsOmittedWhenNull()
    {
        var e = new AgentEvent("e1", "A", "FINDING", Encoding.UTF8.GetBytes("{}"), VectorClock.FromEntries([1])) { Epoch = 3 };
        var line = Encoding.UTF8.GetString(AgentEventCodec.Encode(e));
        Assert.EndsWith("\"epoch\":3}", line, StringComparison.Ordinal);
        Assert.Equal(e, AgentEventCodec.Decode(Encoding.UTF8.GetBytes(line)));
        Assert.DoesNotContain("epoch", Encoding.UTF8.GetString(AgentEventCodec.Encode(new AgentEvent("e1", "A", "FINDING", Encoding.UTF8.GetBytes("{}"), VectorClock.FromEntries([1])))), StringComparison.Ordinal);
        Assert.False(AgentEventCodec.TryDecode(Encoding.UTF8.GetBytes("""{"event_id":"e","actor":"A","action":"X","vector_clock":[1],"epoch":-1}"""), null, null, out _, out var error));
        Assert.Equal("epoch", error!.Field);
    }
}
