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
}
