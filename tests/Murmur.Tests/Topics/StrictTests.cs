using Microsoft.Extensions.Time.Testing;
using Murmur.Agents;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Testing;
using Murmur.Topics;

namespace Murmur.Tests.Topics;

public sealed class StrictTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static Task<MurmurNode> NodeAsync(InMemoryEventLog log, string name, TimeProvider? time = null, TimeSpan? evictAfter = null) => MurmurNode.StartAsync(o =>
    {
        o.UseInMemoryLog(log);
        o.Options = o.Options with
        {
            NodeId = name,
            StrictEvictAfter = evictAfter,
            Runtime = o.Options.Runtime with { TimeProvider = time ?? TimeProvider.System },
        };
    });

    private static void AssertIdenticalViews(RoundRecorder recorder, Topic topic, int rounds)
    {
        Assert.Empty(recorder.Violations);
        var history = topic.History.Select(e => e.EventId).ToList();
        var closes = topic.ClosePositions;
        foreach (var group in recorder.Views.GroupBy(v => v.Round))
        {
            var round = group.Key;
            var expected = RoundRecorder.Hash(round == 0 ? [] : history.Take((int)closes[round - 1]));
            Assert.All(group, v => Assert.Equal(expected, v.Hash));
        }
        Assert.True(recorder.Views.Select(v => v.Round).Distinct().Count() >= rounds, "every round up to the limit was viewed");
    }

    [Fact]
    public async Task ManySeededSchedules_TwoNodes_EveryMemberSeesTheSameViewOfEachRound_NeverItsOwnRound()
    {
        const int Rounds = 4;
        for (var seed = 0; seed < 25; seed++)
        {
            var log = new InMemoryEventLog();
            var recorder = new RoundRecorder();
            await using var n1 = await NodeAsync(log, "n1");
            await using var n2 = await NodeAsync(log, "n2");
            var members = 2 + (seed % 3);
            var options = new TopicOptions { MinMembers = seed % 2 == 0 ? members : 1 };
            var t1 = await n1.OpenTopicAsync("strict", Consistency.Strict, options);
            var t2 = await n2.OpenTopicAsync("strict", Consistency.Strict, options);
            for (var m = 0; m < members; m++)
            {
                var node = m % 2 == 0 ? n1 : n2;
                var topic = m % 2 == 0 ? t1 : t2;
                await node.SpawnAsync($"M{m}", () => new RoundWorker(recorder, seed, Rounds), topic);
            }
            await t1.WaitForRoundAsync(Rounds + 1).WaitAsync(Patience);
            await t2.WaitForRoundAsync(Rounds + 1).WaitAsync(Patience);
            AssertIdenticalViews(recorder, t1, Rounds);
            Assert.Equal(t1.History.Select(e => e.EventId), t2.History.Select(e => e.EventId).Take(t1.History.Count));
            Assert.Equal(t1.ClosePositions.Take(Rounds + 1), t2.ClosePositions.Take(Rounds + 1));
        }
    }

    [Fact]
    public async Task Quiescence_AfterAnEmptyRound_NoMoreRoundsRun()
    {
        var log = new InMemoryEventLog();
        var recorder = new RoundRecorder();
        await using var node = await NodeAsync(log, "n");
        var topic = await node.OpenTopicAsync("quiet", Consistency.Strict, new TopicOptions { MinMembers = 2 });
        await node.SpawnAsync("A", () => new RoundWorker(recorder, 1, rounds: 2), topic);
        await node.SpawnAsync("B", () => new RoundWorker(recorder, 1, rounds: 2), topic);
        await topic.WaitForRoundAsync(3).WaitAsync(Patience);
        await topic.CatchUpAsync();
        // Round 2 holds only ROUND_DONEs, so round 3 is idle: nobody completes it and the topic stays at round 3.
        Assert.Equal(3, topic.Round);
        Assert.DoesNotContain(recorder.Views, v => v.Round > 2);
    }

    [Fact]
    public async Task MemberCrashesMidRound_IsRestarted_AndTheBarrierStillCloses()
    {
        const int Rounds = 4;
        var log = new InMemoryEventLog();
        var recorder = new RoundRecorder();
        var crashed = new StrongBox<bool>(false);
        await using var node = await NodeAsync(log, "n");
        var topic = await node.OpenTopicAsync("crashy", Consistency.Strict, new TopicOptions { MinMembers = 3 });
        await node.SpawnAsync("A", () => new RoundWorker(recorder, 7, Rounds), topic);
        await node.SpawnAsync("B", () => new RoundWorker(recorder, 7, Rounds, crashInRound: 2, crashed), topic);
        await node.SpawnAsync("C", () => new RoundWorker(recorder, 7, Rounds), topic);
        await topic.WaitForRoundAsync(Rounds + 1).WaitAsync(Patience);
        Assert.Equal(["A", "B", "C"], topic.Roster.Members);
        Assert.True(crashed.Value, $"B never crashed; views: {string.Join(", ", recorder.Views.Select(v => $"{v.Actor}@{v.Round}"))}; history: {string.Join(", ", topic.History.Select(e => $"{e.Actor}:{e.Action}:{e.Round}"))}");
        AssertIdenticalViews(recorder, topic, Rounds);
    }

    [Fact]
    public async Task SilentMember_IsEvictedOnce_AndTheRoundCloses()
    {
        var time = new FakeTimeProvider();
        var log = new InMemoryEventLog();
        var recorder = new RoundRecorder();
        await using var n1 = await NodeAsync(log, "n1", time, TimeSpan.FromSeconds(10));
        await using var n2 = await NodeAsync(log, "n2", time, TimeSpan.FromSeconds(10));
        var t1 = await n1.OpenTopicAsync("evict", Consistency.Strict);
        var t2 = await n2.OpenTopicAsync("evict", Consistency.Strict);
        await n2.SpawnAsync("Mute", () => new Mute(), t2);
        await n1.SpawnAsync("A", () => new RoundWorker(recorder, 3, rounds: 3), t1);
        await t1.WaitUntilHeldAsync("Mute").WaitAsync(Patience);
        await t1.WaitForEventAsync(e => e.Actor == "A" && e.Action == Actions.RoundDone).WaitAsync(Patience);
        Assert.Equal(0, t1.Round);
        time.Advance(TimeSpan.FromSeconds(11)); // both nodes' timers fire and both append the same EVICT id
        try
        {
            await t1.WaitForRoundAsync(1).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            var entries = new List<string>();
            await foreach (var entry in log.ReadAsync("evict"))
            {
                entries.Add(System.Text.Encoding.UTF8.GetString(entry.Data.Span));
            }
            Assert.Fail($"round {t1.Round}, evicted [{string.Join(",", t1.Evicted)}], dead letters [{string.Join(" | ", n1.DeadLetters.Items.Select(d => d.Reason))}], log:\n{string.Join("\n", entries)}");
        }
        await t2.WaitForRoundAsync(1).WaitAsync(Patience);
        Assert.Equal(["Mute"], t1.Evicted); // A completed round 0 in time; only the silent member is evicted
        Assert.Equal(["Mute"], t2.Evicted);
        var evicts = 0;
        await foreach (var entry in log.ReadAsync("evict"))
        {
            evicts += entry.EventId.StartsWith("evict-", StringComparison.Ordinal) ? 1 : 0;
        }
        Assert.Equal(1, evicts);
    }

    /// <summary>Joins and never completes a round (its handler never returns).</summary>
    private sealed class Mute : Agent
    {
        protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
            => await new TaskCompletionSource().Task.WaitAsync(cancellationToken);
    }

    [Fact]
    public async Task NewcomerInAQuietTopic_GetsAView_AndWakesTheRounds()
    {
        var log = new InMemoryEventLog();
        var recorder = new RoundRecorder();
        await using var node = await NodeAsync(log, "n");
        var topic = await node.OpenTopicAsync("late", Consistency.Strict);
        await node.SpawnAsync("A", () => new RoundWorker(recorder, 2, rounds: 2), topic);
        await topic.WaitForRoundAsync(3).WaitAsync(Patience); // A alone: rounds 0, 1 with work, round 2 empty: quiet
        await node.SpawnAsync("B", () => new RoundWorker(recorder, 2, rounds: 6), topic);
        // B acts in its first view; A abstains from that round; B's work makes the next round run for both.
        await topic.WaitForRoundAsync(5).WaitAsync(Patience);
        Assert.Contains(recorder.Views, v => v.Actor == "B");
        Assert.Contains(recorder.Views, v => v.Actor == "A" && v.Round >= 4);
        Assert.Empty(recorder.Violations);
    }

    [Fact]
    public async Task ModeIsPerTopic_AStrictAndAnEventualTopicOnOneNodeDoNotInfluenceEachOther()
    {
        var log = new InMemoryEventLog();
        var recorder = new RoundRecorder();
        var seen = new Seen();
        await using var node = await NodeAsync(log, "n");
        var strict = await node.OpenTopicAsync("s", Consistency.Strict);
        var eventual = await node.OpenTopicAsync("e", Consistency.Eventual);
        await node.SpawnAsync("A", () => new RoundWorker(recorder, 5, rounds: 2), strict);
        await node.SpawnAsync("B", () => new RoundWorker(recorder, 5, rounds: 2), strict);
        var x = await node.SpawnAsync("X", () => new Crashy(seen), eventual);
        var note = await node.Runtime.AskAsync<AgentEvent>(x, "note");
        Assert.Null(note.Round);
        await seen.WaitForAsync(note.EventId); // eventual: delivered at once, no rounds
        await strict.WaitForRoundAsync(3).WaitAsync(Patience);
        Assert.All(strict.History.Where(e => e.Action == "work"), e => Assert.NotNull(e.Round));
        Assert.Null(eventual.Round);
        Assert.Equal(2, eventual.DeliveredCount);
    }
}
