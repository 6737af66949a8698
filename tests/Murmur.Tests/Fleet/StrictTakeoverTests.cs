using Murmur.Agents;
using Murmur.Events;
using Murmur.Fleet;
using Murmur.Testing;
using Murmur.Topics;

namespace Murmur.Tests.Fleet;

/// <summary>A member of a strict topic whose node dies in the middle of a round: its takeover completes the round.</summary>
public sealed class StrictTakeoverTests
{
    private const int Rounds = 4;

    [Fact]
    public async Task OwnerOfAStrictMemberKilledMidRound_TheNewOwnerCompletesTheRound_AndNoRoundIsDoneTwice()
    {
        await using var h = new FleetHarness();
        var recorder = new RoundRecorder();
        var blocked = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var made = 0;
        // The first copy of "Held" works round 0, then stops in the middle of round 1 (as if its node froze there);
        // every later copy — the takeover — is an ordinary round worker.
        Agent Make(OwnedAgent owned) => owned.Agent == "Held" && Interlocked.Exchange(ref made, 1) == 0
            ? new StopsInRound(recorder, 1, blocked)
            : new RoundWorker(recorder, 5, Rounds);
        var kinds = new Dictionary<string, Func<OwnedAgent, Agent>> { ["round"] = Make };
        var (a, fleetA, linkA) = await h.StartAsync("a", kinds);
        var (b, fleetB, _) = await h.StartAsync("b", kinds);
        var (_, fleetC, _) = await h.StartAsync("c", kinds);
        var taken = new TaskCompletionSource<ulong>(TaskCreationOptions.RunContinuationsAsynchronously);
        fleetB.AgentTakenOver += (agent, epoch) => taken.TrySetResult(epoch);
        fleetC.AgentTakenOver += (agent, epoch) => taken.TrySetResult(epoch);
        await fleetA.SpawnAsync(new OwnedAgent("Held", "round", "strict-round", "strict"));
        await fleetB.SpawnAsync(new OwnedAgent("Steady", "round", "strict-round", "strict"));
        await h.AdvanceUntilAsync(blocked.Task, TimeSpan.FromSeconds(10), "Held in round 1");
        await h.AdvanceAsync(TimeSpan.FromSeconds(3)); // everyone learns everyone's rhythm; round 1 stays open
        var topicB = b.Topics.Single(t => t.Name == "strict-round");
        Assert.Equal(1, topicB.Round);

        linkA.Cut();           // kill -9 in the middle of round 1
        await a.DisposeAsync();
        await h.AdvanceUntilAsync(taken.Task, TimeSpan.FromSeconds(10), "takeover");
        Assert.Equal(2UL, await taken.Task);
        await h.AdvanceUntilAsync(topicB.WaitForRoundAsync(Rounds), TimeSpan.FromSeconds(20), $"round {Rounds}");

        var history = topicB.History;
        var dones = history.Where(e => e.Action == Actions.RoundDone).Select(e => (e.Actor, e.Round)).ToList();
        Assert.Equal(dones.Distinct().Count(), dones.Count); // no member ended a round twice (the old owner's and the new one's)
        Assert.Contains(("Held", (int?)1), dones);
        Assert.Contains(topicB.EpochOwners[("Held", 2)], new[] { "b", "c" });
        Assert.Empty(recorder.Violations);
    }

    /// <summary>A round worker that, in round <paramref name="stopRound"/>, publishes once and then never returns (its round stays open).</summary>
    private sealed class StopsInRound(RoundRecorder recorder, int stopRound, TaskCompletionSource<int> blocked) : Agent
    {
        protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
        {
            recorder.Record(view, freshInstance: false);
            if (view.IsReplay)
            {
                return;
            }
            await view.PublishAsync("work", new { round = view.Round }, cancellationToken: cancellationToken);
            if (view.Round == stopRound)
            {
                blocked.TrySetResult(stopRound);
                await new TaskCompletionSource().Task.WaitAsync(cancellationToken);
            }
        }
    }
}
