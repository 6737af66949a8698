using Murmur.Agents;
using Murmur.Runtime;
using Murmur.Supervision;

namespace Murmur.Tests.Runtime;

public sealed class IsolationTests
{
    private sealed class Counter(int[] counts, int index, bool crasher, CountdownEvent done) : Agent
    {
        protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        {
            if (crasher)
            {
                throw new InvalidOperationException("crash loop");
            }
            counts[index]++;
            done.Signal();
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task TenThousandAgents_ATenthCrashRepeatedly_OthersHandleEveryMessage()
    {
        const int Agents = 10_000, Messages = 20;
        var random = new Random(42);
        var crashers = Enumerable.Range(0, Agents).Select(_ => random.Next(10) == 0).ToArray();
        var healthy = crashers.Count(c => !c);
        var counts = new int[Agents];
        using var done = new CountdownEvent(healthy * Messages);
        // Crashers are restarted without limit (a huge intensity) so they keep crashing for the whole test.
        await using var runtime = AgentRuntime.Create(new AgentRuntimeOptions
        {
            RootSupervisor = new SupervisorStrategy { MaxRestarts = int.MaxValue, Period = TimeSpan.FromMinutes(1) },
        });
        var refs = new AgentRef[Agents];
        for (var i = 0; i < Agents; i++)
        {
            var index = i;
            refs[i] = runtime.Spawn(() => new Counter(counts, index, crashers[index], done));
        }
        for (var m = 0; m < Messages; m++)
        {
            for (var i = 0; i < Agents; i++)
            {
                refs[i].Send(m);
            }
        }
        Assert.True(await Task.Run(() => done.Wait(TimeSpan.FromSeconds(60))), $"only {healthy * Messages - done.CurrentCount} of {healthy * Messages} messages handled");
        for (var i = 0; i < Agents; i++)
        {
            Assert.Equal(crashers[i] ? 0 : Messages, counts[i]);
        }
        Assert.All(refs, r => Assert.True(r.IsAlive));
        Assert.False(runtime.Completion.IsCompleted);
    }

    [Fact]
    public async Task AsyncHandler_KeepsTheTurn_NeverTwoHandlersAtOnce()
    {
        var inside = 0;
        var maxInside = 0;
        var handled = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var runtime = AgentRuntime.Create();
        var agent = runtime.Spawn(Agent.FromHandler(async (ctx, msg) =>
        {
            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref maxInside, now);
            await Task.Yield();
            await Task.Delay(0);
            Interlocked.Decrement(ref inside);
            if (Interlocked.Increment(ref handled) == 2_000)
            {
                done.TrySetResult();
            }
        }));
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                agent.Send(i);
            }
        })));
        await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, maxInside);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    [Fact]
    public async Task SystemMessages_GoAheadOfQueuedUserMessages()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var order = new List<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var runtime = AgentRuntime.Create();
        var target = await runtime.SpawnAsync("target", Agent.FromHandler((_, _) => ValueTask.CompletedTask));
        var blocked = runtime.Spawn(Agent.FromHandler(async (ctx, msg) =>
        {
            switch (msg)
            {
                case "block":
                    ctx.Monitor(target);
                    await gate.Task;
                    break;
                case Down:
                    order.Add("down");
                    break;
                case string s:
                    order.Add(s);
                    if (s == "b")
                    {
                        done.TrySetResult();
                    }
                    break;
            }
        }));
        blocked.Send("block");
        blocked.Send("a");
        blocked.Send("b");
        await runtime.StopAsync(target); // the Down is queued while "a" and "b" wait
        gate.SetResult();
        await done.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(["down", "a", "b"], order);
    }

    [Fact]
    public async Task IdleAgent_HoldsNoMailboxStorage()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var runtime = AgentRuntime.Create();
        var agent = (AgentProcess)runtime.Spawn(Agent.FromHandler((_, m) =>
        {
            if (m is 99)
            {
                done.TrySetResult();
            }
            return ValueTask.CompletedTask;
        }));
        for (var i = 0; i < 100; i++)
        {
            agent.Send(i);
        }
        await done.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await runtime.StopAsync(agent);
        Assert.False(agent.HasMailboxStorage);
        Assert.False(((AgentProcess)runtime.Spawn(Agent.FromHandler((_, _) => ValueTask.CompletedTask))).HasMailboxStorage);
    }
}
