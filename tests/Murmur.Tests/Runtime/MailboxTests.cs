using Murmur.Agents;
using Murmur.Runtime;
using Murmur.Supervision;

namespace Murmur.Tests.Runtime;

public sealed class MailboxTests
{
    /// <summary>An agent that blocks on its first message until released, then records the rest.</summary>
    private sealed class Gated(TaskCompletionSource gate, List<object> seen, TaskCompletionSource<int> drained, int expect) : Agent
    {
        protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        {
            if (message is "block")
            {
                await gate.Task;
                return;
            }
            seen.Add(message);
            if (seen.Count == expect)
            {
                drained.TrySetResult(seen.Count);
            }
        }
    }

    private static (AgentRef Agent, TaskCompletionSource Gate, List<object> Seen, TaskCompletionSource<int> Drained) Spawn(AgentRuntime runtime, MailboxOptions mailbox, int expect)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new List<object>();
        var drained = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var agent = runtime.Spawn(() => new Gated(gate, seen, drained, expect), new SpawnOptions { Mailbox = mailbox });
        return (agent, gate, seen, drained);
    }

    /// <summary>Waits until the gated agent took "block" out of its mailbox, so the mailbox is empty.</summary>
    private static async Task UntilBlockedAsync(AgentRef agent)
    {
        var process = (AgentProcess)agent;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (process.MailboxCount != 0)
        {
            await Task.Yield();
            cts.Token.ThrowIfCancellationRequested();
        }
    }

    [Fact]
    public async Task DropNewest_FullMailbox_DropsArrivalsAndCountsThem()
    {
        await using var runtime = AgentRuntime.Create();
        var (agent, gate, seen, drained) = Spawn(runtime, MailboxOptions.Bounded(3, MailboxFullMode.DropNewest), 3);
        agent.Send("block");
        await UntilBlockedAsync(agent);
        for (var i = 0; i < 5; i++)
        {
            agent.Send(i);
        }
        Assert.Equal(2, runtime.DroppedMessageCount);
        gate.SetResult();
        await drained.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal([0, 1, 2], seen);
    }

    [Fact]
    public async Task DropOldest_FullMailbox_DropsTheOldest()
    {
        await using var runtime = AgentRuntime.Create();
        var (agent, gate, seen, drained) = Spawn(runtime, MailboxOptions.Bounded(3, MailboxFullMode.DropOldest), 3);
        agent.Send("block");
        await UntilBlockedAsync(agent);
        for (var i = 0; i < 5; i++)
        {
            agent.Send(i);
        }
        Assert.Equal(2, runtime.DroppedMessageCount);
        gate.SetResult();
        await drained.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal([2, 3, 4], seen);
    }

    [Fact]
    public async Task FailSender_FullMailbox_ThrowsToTheSender()
    {
        await using var runtime = AgentRuntime.Create();
        var (agent, gate, _, _) = Spawn(runtime, MailboxOptions.Bounded(2, MailboxFullMode.FailSender), 2);
        agent.Send("block");
        await UntilBlockedAsync(agent);
        agent.Send(1);
        agent.Send(2);
        var error = Assert.Throws<MailboxFullException>(() => agent.Send(3));
        Assert.Contains("is full (2 messages)", error.Message, StringComparison.Ordinal);
        gate.SetResult();
    }

    [Fact]
    public async Task Wait_FullMailbox_SendAsyncWaitsForSpace()
    {
        await using var runtime = AgentRuntime.Create();
        var (agent, gate, seen, drained) = Spawn(runtime, MailboxOptions.Bounded(2, MailboxFullMode.Wait), 4);
        agent.Send("block");
        await UntilBlockedAsync(agent);
        await agent.SendAsync(1);
        await agent.SendAsync(2);
        var third = agent.SendAsync(3).AsTask();
        Assert.False(third.IsCompleted);
        Assert.Throws<MailboxFullException>(() => agent.Send(99));
        var fourth = agent.SendAsync(4).AsTask();
        gate.SetResult();
        await Task.WhenAll(third, fourth).WaitAsync(TimeSpan.FromSeconds(20));
        await drained.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal([1, 2, 3, 4], seen);
        Assert.Equal(0, runtime.DroppedMessageCount);
    }

    [Fact]
    public void Options_OutOfRange_AreRefusedWithTheirName()
    {
        Assert.Equal("Capacity", Assert.Throws<ArgumentOutOfRangeException>(() => MailboxOptions.Bounded(-1)).ParamName);
        Assert.Equal("Throughput", Assert.Throws<ArgumentOutOfRangeException>(() => AgentRuntime.Create(new AgentRuntimeOptions { Throughput = 0 })).ParamName);
        Assert.Equal("Period", Assert.Throws<ArgumentOutOfRangeException>(() => SupervisorStrategy.OneForOne(1, TimeSpan.Zero)).ParamName);
    }
}
