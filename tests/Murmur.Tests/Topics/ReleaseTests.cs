using Murmur.Agents;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.Tests.Topics;

/// <summary>Finished topics leave the node's memory, and on request the log.</summary>
public sealed class ReleaseTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WhenTheLastLocalMemberStops_TheNodeReleasesTheTopic_AndASpawnFollowsItAgain()
    {
        var log = new InMemoryEventLog();
        await using var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog(log));
        var topic = await node.OpenTopicAsync("finished");
        var a = await node.SpawnAsync("A", () => new Crashy(new Seen()), topic, new SpawnOptions { Restart = Restart.Temporary });
        var note = await node.Runtime.AskAsync<AgentEvent>(a, "note");
        Assert.Single(node.Topics);

        await node.Runtime.StopAsync(a);
        await topic.Released.WaitAsync(Patience);
        Assert.True(topic.IsReleased);
        Assert.Empty(node.Topics);
        Assert.Contains(topic.History, e => e.EventId == note.EventId); // what the holder saw stays

        var seen = new Seen();
        await node.SpawnAsync("B", () => new Crashy(seen), topic);
        Assert.False(topic.IsReleased);
        await seen.WaitForAsync(note.EventId).WaitAsync(Patience); // followed again, read from the log
        Assert.Single(node.Topics);
    }

    [Fact]
    public async Task WaitsOnAReleasedTopic_FailWithTopicReleased_InsteadOfWaitingForever()
    {
        var log = new InMemoryEventLog();
        await using var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog(log));
        var topic = await node.OpenTopicAsync("released-waits");
        var a = await node.SpawnAsync("A", () => new Crashy(new Seen()), topic, new SpawnOptions { Restart = Restart.Temporary });
        var note = await node.Runtime.AskAsync<AgentEvent>(a, "note");
        var never = topic.WaitForEventAsync(e => e.Action == "NEVER");
        var later = topic.WaitForDeliveredAsync(1_000);

        await node.Runtime.StopAsync(a);
        await topic.Released.WaitAsync(Patience);

        var ex = await Assert.ThrowsAsync<TopicReleasedException>(() => never.WaitAsync(Patience));
        Assert.Equal("released-waits", ex.Topic);
        await Assert.ThrowsAsync<TopicReleasedException>(() => later.WaitAsync(Patience));

        // Another node writes on: this node no longer reads the topic, so it cannot catch up with that.
        await using var other = await MurmurNode.StartAsync(o => o.UseInMemoryLog(log));
        var b = await other.SpawnAsync("B", () => new Crashy(new Seen()), await other.OpenTopicAsync("released-waits"));
        await other.Runtime.AskAsync<AgentEvent>(b, "note");
        await Assert.ThrowsAsync<TopicReleasedException>(() => topic.CatchUpAsync().WaitAsync(Patience));
        await Assert.ThrowsAsync<TopicReleasedException>(() => topic.WaitForEventAsync(e => e.Action == "NEVER").WaitAsync(Patience));
        Assert.Equal(note.EventId, (await topic.WaitForEventAsync(e => e.EventId == note.EventId).WaitAsync(Patience)).EventId); // what it holds still answers
    }

    [Fact]
    public async Task AWatchOfAReleasedTopic_HandsOverEverything_ThenEnds()
    {
        var log = new InMemoryEventLog();
        await using var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog(log));
        var topic = await node.OpenTopicAsync("watched-then-released");
        var a = await node.SpawnAsync("A", () => new Crashy(new Seen()), topic, new SpawnOptions { Restart = Restart.Temporary });
        var note = await node.Runtime.AskAsync<AgentEvent>(a, "note");
        var seen = new List<AgentEvent>();
        var watch = Task.Run(async () =>
        {
            await foreach (var e in topic.WatchAsync())
            {
                seen.Add(e);
            }
        });

        await node.Runtime.StopAsync(a);
        await topic.Released.WaitAsync(Patience);

        await watch.WaitAsync(Patience); // ends, without an exception
        Assert.Equal(topic.History.Select(e => e.EventId), seen.Select(e => e.EventId));
        Assert.Contains(seen, e => e.EventId == note.EventId);
    }

    [Fact]
    public async Task AnObservedTopicWithoutMembers_IsNotReleased_AndReleaseRefusesWhileMembersLive()
    {
        await using var node = await MurmurNode.StartAsync();
        var watched = await node.OpenTopicAsync("watched");
        var busy = await node.OpenTopicAsync("busy");
        await node.SpawnAsync("A", () => new Crashy(new Seen()), busy);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => node.ReleaseTopicAsync("busy"));
        Assert.Contains("live member", error.Message, StringComparison.Ordinal);
        Assert.False(watched.IsReleased);
        Assert.True(await node.ReleaseTopicAsync("watched"));
        Assert.True(watched.IsReleased);
        Assert.False(await node.ReleaseTopicAsync("watched"));
    }

    [Fact]
    public async Task DeleteTopic_RemovesItsRecords_AndItsSnapshotsAndCheckpoints_FromTheLog()
    {
        var log = new InMemoryEventLog();
        await using var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog(log).Configure(x => x with { NodeId = "n" }));
        var done = await node.OpenTopicAsync("done");
        var kept = await node.OpenTopicAsync("kept");
        var a = await node.SpawnAsync("A", () => new Snapshotter(), [done, kept], new SpawnOptions { Restart = Restart.Temporary });
        await node.Runtime.AskAsync<bool>(a, "snapshot");
        Assert.True(await log.GetEndPositionAsync("murmur.snapshots.done.A") > 0);
        Assert.True(await log.GetEndPositionAsync("murmur.checkpoints.done.n") > 0);
        await Assert.ThrowsAsync<InvalidOperationException>(() => node.DeleteTopicAsync("done"));

        await node.Runtime.StopAsync(a);
        await done.Released.WaitAsync(Patience);
        Assert.True(await node.DeleteTopicAsync("done"));
        Assert.Equal(0, await log.GetEndPositionAsync("done"));
        Assert.Equal(0, await log.GetEndPositionAsync("murmur.snapshots.done.A"));
        Assert.Equal(0, await log.GetEndPositionAsync("murmur.checkpoints.done.n"));
        Assert.True(await log.GetEndPositionAsync("kept") > 0);
    }

    /// <summary>Saves a snapshot of its first topic when asked.</summary>
    private sealed class Snapshotter : Agent
    {
        protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        {
            if (message is "snapshot")
            {
                await Topics[0].SaveSnapshotAsync(new { ok = true }, cancellationToken);
                Context.Reply(true);
            }
        }
    }
}
