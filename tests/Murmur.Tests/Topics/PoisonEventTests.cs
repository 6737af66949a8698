using Murmur.Agents;
using Murmur.Events;
using Murmur.Topics;

namespace Murmur.Tests.Topics;

public sealed class PoisonEventTests
{
    /// <summary>Throws whenever it is handed an event whose action is "poison"; records the rest.</summary>
    private sealed class Fragile(Seen seen) : Agent
    {
        protected override ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
        {
            foreach (var e in view.New)
            {
                if (e.Action == "poison")
                {
                    throw new InvalidOperationException("cannot digest this event");
                }
                seen.Add(view.Member.Actor, e, view.IsReplay);
            }
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task PoisonEvent_GoesToDeadLettersAfterBoundedTries_AndTheTopicGoesOn()
    {
        var seen = new Seen();
        await using var node = await MurmurNode.StartAsync();
        var topic = await node.OpenTopicAsync("poison");
        var producer = await node.SpawnAsync("Producer", () => new Crashy(new Seen()), topic);
        await node.SpawnAsync("Fragile", () => new Fragile(seen), topic);
        var ok1 = await node.Runtime.AskAsync<AgentEvent>(producer, "ok1");
        var poison = await node.Runtime.AskAsync<AgentEvent>(producer, "poison");
        var ok2 = await node.Runtime.AskAsync<AgentEvent>(producer, "ok2");
        await seen.WaitForAsync(ok2.EventId);

        var dead = Assert.Single(node.DeadLetters.Items, d => d.EventId == poison.EventId);
        Assert.Contains("poison event: the handler of 'Fragile' failed 2 times", dead.Reason, StringComparison.Ordinal);
        Assert.Contains("cannot digest this event", dead.Reason, StringComparison.Ordinal);
        Assert.Contains(seen.Items, s => s.Event.EventId == ok1.EventId);
        Assert.DoesNotContain(seen.Items, s => s.Event.EventId == poison.EventId);
        Assert.False(node.Runtime.Completion.IsCompleted); // no escalation out of the root
        Assert.Contains(topic.History, e => e.EventId == poison.EventId); // the others still have it
    }

    /// <summary>Handles everything live, but cannot replay a "poison" event; publishes the action it is asked to (as <see cref="Crashy"/>).</summary>
    private sealed class ReplayFragile(Seen seen) : Crashy(seen)
    {
        protected override ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
        {
            if (view.IsReplay && view.New.Any(e => e.Action == "poison"))
            {
                throw new InvalidOperationException("cannot replay this");
            }
            return base.OnEventsAsync(view, cancellationToken);
        }
    }

    [Fact]
    public async Task AReplayThatFailsTwice_IsSkippedAndDeadLettered_AndTheAgentGoesOn()
    {
        var seen = new Seen();
        await using var node = await MurmurNode.StartAsync();
        var topic = await node.OpenTopicAsync("poison-replay");
        var producer = await node.SpawnAsync("Producer", () => new Crashy(new Seen()), topic);
        var fragile = await node.SpawnAsync("Fragile", () => new ReplayFragile(seen), topic);
        var poison = await node.Runtime.AskAsync<AgentEvent>(producer, "poison");
        await seen.WaitForAsync(poison.EventId);
        await node.Runtime.AskAsync<AgentEvent>(fragile, "acted"); // after the poison: a restart replays it

        fragile.Send("crash");
        var after = await node.Runtime.AskAsync<AgentEvent>(producer, "after");
        await seen.WaitForAsync(after.EventId); // handed live only once the failing replay was skipped

        var dead = Assert.Single(node.DeadLetters.Items, d => d.Reason.Contains("poison replay", StringComparison.Ordinal));

        Assert.Contains("the handler of 'Fragile' failed 2 times replaying", dead.Reason, StringComparison.Ordinal);
        Assert.Contains("cannot replay this", dead.Reason, StringComparison.Ordinal);
        Assert.True(fragile.IsAlive);
        Assert.False(node.Runtime.Completion.IsCompleted);
        Assert.Single(seen.Items, s => s.Event.EventId == after.EventId); // handled once, live
    }
}
