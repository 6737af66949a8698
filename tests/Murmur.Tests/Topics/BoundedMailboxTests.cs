using Murmur.Agents;
using Murmur.Events;
using Murmur.Runtime;
using Murmur.Topics;

namespace Murmur.Tests.Topics;

/// <summary>Topic wake-ups travel apart from user messages: a full bounded mailbox never costs a member its events.</summary>
public sealed class BoundedMailboxTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(MailboxFullMode.DropNewest)]
    [InlineData(MailboxFullMode.DropOldest)]
    [InlineData(MailboxFullMode.FailSender)]
    public async Task FullBoundedMailbox_DoesNotLoseTheWakeUp_TheMemberSeesEveryEvent(MailboxFullMode mode)
    {
        await using var node = await MurmurNode.StartAsync();
        var topic = await node.OpenTopicAsync("bounded");
        var blocked = new Blocker();
        var seen = new Seen();
        var slow = await node.SpawnAsync("Slow", () => new GatedAgent(blocked, seen), topic,
            new SpawnOptions { Mailbox = MailboxOptions.Bounded(1, mode) });
        var producer = await node.SpawnAsync("Producer", () => new Echo(new Seen()), topic);
        var producerJoin = await topic.WaitForEventAsync(e => e.Actor == "Producer" && e.Action == Actions.Join).WaitAsync(Patience);
        await seen.WaitForAsync(producerJoin.EventId).WaitAsync(Patience);

        slow.Send("block");
        await blocked.Entered.Task.WaitAsync(Patience);
        slow.Send("filler"); // the mailbox holds one message: it is full now
        if (mode == MailboxFullMode.FailSender)
        {
            Assert.Throws<MailboxFullException>(() => slow.Send("over the capacity"));
        }

        var pings = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            pings.Add((await node.Runtime.AskAsync<AgentEvent>(producer, "ping")).EventId);
        }
        blocked.Release.SetResult();
        foreach (var ping in pings)
        {
            await seen.WaitForAsync(ping).WaitAsync(Patience);
        }
        Assert.Equal(pings, seen.Items.Where(i => i.Agent == "Slow").Select(i => i.Event.EventId).Where(pings.Contains));
    }

    private sealed class Blocker
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class GatedAgent(Blocker blocker, Seen seen) : Agent
    {
        protected override ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
        {
            foreach (var e in view.New)
            {
                seen.Add(view.Member.Actor, e, view.IsReplay);
            }
            return ValueTask.CompletedTask;
        }

        protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        {
            if (message is "block")
            {
                blocker.Entered.TrySetResult();
                await blocker.Release.Task;
            }
        }
    }
}
