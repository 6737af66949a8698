using Murmur.Agents;
using Murmur.Runtime;

namespace Murmur.Tests.Runtime;

/// <summary>
/// A turn takes several user messages out of the mailbox at once; those it has not handled yet must behave
/// exactly as if they were still queued (order, async handlers, termination while they are out).
/// </summary>
public sealed class TurnBatchTests
{
    [Fact]
    public async Task AsyncHandlerInTheMiddleOfABatch_KeepsSendOrder()
    {
        const int N = 2_000;
        await using var runtime = AgentRuntime.Create();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new List<int>();
        var agent = runtime.Spawn(Agent.FromHandler(async (_, m) =>
        {
            if (m is "block")
            {
                await gate.Task;
                return;
            }
            var i = (int)m;
            if (i % 7 == 3)
            {
                await Task.Yield(); // leaves the turn with the rest of the batch still taken
            }
            seen.Add(i);
            if (seen.Count == N)
            {
                done.TrySetResult();
            }
        }));
        agent.Send("block");
        for (var i = 0; i < N; i++)
        {
            agent.Send(i);
        }
        gate.SetResult();
        await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, N), seen);
        Assert.False(((AgentProcess)agent).HasMailboxStorage);
    }

    [Fact]
    public async Task KilledWhileItsBatchIsOut_TheUnhandledMessagesAreDeadLetters()
    {
        await using var runtime = AgentRuntime.Create();
        using var release = new ManualResetEventSlim();
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = 0;
        var agent = runtime.Spawn(Agent.FromHandler((_, m) =>
        {
            if (m is "block")
            {
                blocked.TrySetResult();
                release.Wait(TimeSpan.FromSeconds(20)); // synchronously, so the turn keeps its batch
            }
            else
            {
                Interlocked.Increment(ref handled);
            }
            return ValueTask.CompletedTask;
        }), new SpawnOptions { ShutdownTimeout = TimeSpan.FromMilliseconds(10) });
        var process = (AgentProcess)agent;
        var tenDead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        runtime.DeadLetterObserved = count =>
        {
            if (count >= 10)
            {
                tenDead.TrySetResult();
            }
        };
        // Queue all eleven before the start signal is handled, so that one turn takes them as one batch.
        agent.Send("block");
        for (var i = 0; i < 10; i++)
        {
            agent.Send(i);
        }
        await blocked.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await runtime.StopAsync(agent).WaitAsync(TimeSpan.FromSeconds(20)); // times out, so the agent is killed
        Assert.Equal(ExitKind.Killed, process.ExitReason!.Kind);
        release.Set();
        await tenDead.Task.WaitAsync(TimeSpan.FromSeconds(20)); // the killed turn puts its batch back as dead letters
        Assert.Equal(0, Volatile.Read(ref handled));
        Assert.Equal(10, runtime.DeadLetterCount);
        Assert.False(process.HasMailboxStorage);
    }

    [Fact]
    public async Task SystemMessagesDuringHeavyTraffic_EachSendersOrderIsKept()
    {
        // Monitor/demonitor requests are system messages: each one makes the receiver's turn put its batch
        // back, handle it, and take the batch again. Every user message must still arrive once, in order.
        const int Senders = 4, PerSender = 20_000;
        await using var runtime = AgentRuntime.Create();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var last = new int[Senders];
        Array.Fill(last, -1);
        var received = 0;
        string? error = null;
        var receiver = runtime.Spawn(Agent.FromHandler((_, m) =>
        {
            var (sender, i) = ((int, int))m;
            if (i != last[sender] + 1)
            {
                error ??= $"sender {sender}: {i} after {last[sender]}";
            }
            last[sender] = i;
            if (++received == Senders * PerSender)
            {
                done.TrySetResult();
            }
            return ValueTask.CompletedTask;
        }));
        var watcher = runtime.Spawn(Agent.FromHandler((ctx, m) =>
        {
            if (m is "flip")
            {
                ctx.Monitor(receiver);
                ctx.Demonitor(receiver);
                ctx.Send(ctx.Self, "flip");
            }
            return ValueTask.CompletedTask;
        }));
        watcher.Send("flip");
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(s => Task.Run(() =>
        {
            for (var i = 0; i < PerSender; i++)
            {
                receiver.Send((s, i));
            }
        })));
        await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Null(error);
        Assert.Equal(Senders * PerSender, received);
    }
}
