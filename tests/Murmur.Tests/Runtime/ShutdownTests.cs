using Murmur.Agents;
using Murmur.Runtime;
using Murmur.Tests.Support;

namespace Murmur.Tests.Runtime;

public sealed class ShutdownTests
{
    private sealed class Slow(TaskCompletionSource started, TaskCompletionSource gate, List<int> seen) : Agent
    {
        protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        {
            if (message is "block")
            {
                started.TrySetResult();
                await gate.Task;
                return;
            }
            seen.Add((int)message);
        }
    }

    private static async Task<(AgentRuntime, TaskCompletionSource, List<int>)> WorkInFlightAsync(ShutdownMailboxPolicy policy)
    {
        var runtime = AgentRuntime.Create(new AgentRuntimeOptions { ShutdownMailbox = policy });
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new List<int>();
        var agent = runtime.Spawn(() => new Slow(started, gate, seen));
        agent.Send("block");
        for (var i = 0; i < 10; i++)
        {
            agent.Send(i);
        }
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        return (runtime, gate, seen);
    }

    [Fact]
    public async Task Shutdown_DropPolicy_QueuedMessagesBecomeDeadLetters()
    {
        var (runtime, gate, seen) = await WorkInFlightAsync(ShutdownMailboxPolicy.Drop);
        var disposing = runtime.DisposeAsync().AsTask();
        gate.SetResult(); // the handler in flight completes; the 10 queued messages are dropped
        await disposing.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Empty(seen);
        Assert.Equal(10, runtime.DeadLetterCount);
        Assert.True(runtime.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Shutdown_DrainPolicy_QueuedMessagesAreHandled()
    {
        var (runtime, gate, seen) = await WorkInFlightAsync(ShutdownMailboxPolicy.Drain);
        var disposing = runtime.DisposeAsync().AsTask();
        gate.SetResult();
        await disposing.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(Enumerable.Range(0, 10), seen);
        Assert.Equal(0, runtime.DeadLetterCount);
    }

    private sealed class Stubborn(Probe probe) : Agent
    {
        protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        protected override async ValueTask OnStoppedAsync(ExitReason reason, CancellationToken cancellationToken)
        {
            probe.Add("stopping");
            await new TaskCompletionSource().Task; // never stops by itself
        }
    }

    [Fact]
    public async Task Child_NotStoppingWithinItsShutdownTimeout_IsKilled()
    {
        var probe = new Probe();
        var runtime = AgentRuntime.Create();
        var stubborn = await runtime.SpawnAsync("stubborn", () => new Stubborn(probe), new SpawnOptions { ShutdownTimeout = TimeSpan.FromMilliseconds(1) });
        var witness = new TaskCompletionSource<Down>(TaskCreationOptions.RunContinuationsAsynchronously);
        await runtime.SpawnAsync("witness", Agent.FromHandler((_, m) =>
        {
            if (m is Down d)
            {
                witness.TrySetResult(d);
            }
            return ValueTask.CompletedTask;
        }));
        runtime.TryGet("witness", out var w);
        var monitor = runtime.Spawn(Agent.FromHandler((ctx, m) =>
        {
            ctx.Monitor(stubborn);
            return ValueTask.CompletedTask;
        }));
        _ = w;
        await runtime.StopAsync(stubborn).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(stubborn.IsAlive);
        Assert.Equal(ExitKind.Killed, ((AgentProcess)stubborn).ExitReason!.Kind);
        await runtime.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        _ = monitor;
    }

    [Fact]
    public async Task DynamicChildren_AddedAndRemovedAtRunTime()
    {
        var probe = new Probe();
        await using var runtime = AgentRuntime.Create();
        var parent = await runtime.SpawnAsync("parent", Agent.FromHandler(async (ctx, m) =>
        {
            switch (m)
            {
                case string name when name.StartsWith("add:", StringComparison.Ordinal):
                    ctx.Spawn(name[4..], () => new RecordingAgent(name[4..], probe));
                    ctx.Reply(ctx.Children.Count);
                    break;
                case string name when name.StartsWith("remove:", StringComparison.Ordinal):
                    ctx.Runtime.TryGet(name[7..], out var child);
                    await ctx.StopAsync(child!);
                    ctx.Reply(ctx.Children.Count);
                    break;
            }
        }));
        Assert.Equal(1, await runtime.AskAsync<int>(parent, "add:x"));
        Assert.Equal(2, await runtime.AskAsync<int>(parent, "add:y"));
        Assert.Equal(1, await runtime.AskAsync<int>(parent, "remove:x"));
        Assert.Contains("stop:x", probe.Entries);
        Assert.False(runtime.TryGet("x", out _));
        Assert.True(runtime.TryGet("y", out _));
    }

    [Fact]
    public async Task ChildrenStoppedInARow_EachGetsItsOwnTimeout()
    {
        // Stopped in reverse start order: "quick" (50 ms, stops at once), then "stubborn" (300 ms). They share
        // one timer, due first for quick's deadline; it must re-arm for stubborn's remaining time, not kill early.
        var probe = new Probe();
        await using var runtime = AgentRuntime.Create();
        var parent = await runtime.SpawnAsync("parent", Agent.FromHandler((ctx, m) =>
        {
            ctx.Spawn("stubborn", () => new Stubborn(probe), new SpawnOptions { ShutdownTimeout = TimeSpan.FromMilliseconds(300) });
            ctx.Spawn("quick", () => new RecordingAgent("quick", probe), new SpawnOptions { ShutdownTimeout = TimeSpan.FromMilliseconds(50) });
            ctx.Reply(ctx.Children.Count);
            return ValueTask.CompletedTask;
        }));
        Assert.Equal(2, await runtime.AskAsync<int>(parent, "spawn"));
        runtime.TryGet("stubborn", out var stubborn);
        runtime.TryGet("quick", out var quick);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await runtime.StopAsync(parent).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(250), $"killed after {watch.Elapsed.TotalMilliseconds} ms, before its 300 ms timeout");
        Assert.Equal(ExitKind.Shutdown, ((AgentProcess)quick!).ExitReason!.Kind);
        Assert.Equal(ExitKind.Killed, ((AgentProcess)stubborn!).ExitReason!.Kind);
        Assert.Equal(ExitKind.Shutdown, ((AgentProcess)parent).ExitReason!.Kind);
    }

    [Fact]
    public async Task ManyIdleChildren_StopQuicklyInReverseStartOrder()
    {
        const int N = 2_000;
        var order = new System.Collections.Concurrent.ConcurrentQueue<int>();
        await using var runtime = AgentRuntime.Create();
        var parent = await runtime.SpawnAsync("parent", Agent.FromHandler((ctx, m) =>
        {
            for (var i = 0; i < N; i++)
            {
                var n = i;
                ctx.Spawn(() => new StopRecorder(n, order));
            }
            ctx.Reply(ctx.Children.Count);
            return ValueTask.CompletedTask;
        }));
        Assert.Equal(N, await runtime.AskAsync<int>(parent, "spawn"));
        await runtime.StopAsync(parent).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(Enumerable.Range(0, N).Reverse(), order);
    }

    private sealed class StopRecorder(int n, System.Collections.Concurrent.ConcurrentQueue<int> order) : Agent
    {
        protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        protected override ValueTask OnStoppedAsync(ExitReason reason, CancellationToken cancellationToken)
        {
            order.Enqueue(n);
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task IdleChildrenWithoutStopHandlers_StopInReverseStartOrder_AndNotifyMonitors()
    {
        // Such children are stopped inline by their supervisor (no message, no wait); the outcome must be the same.
        const int N = 500;
        await using var runtime = AgentRuntime.Create();
        var downs = new List<int>();
        var allDown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        AgentRef[] children = [];
        var watcher = await runtime.SpawnAsync("watcher", Agent.FromHandler((ctx, m) =>
        {
            switch (m)
            {
                case AgentRef[] targets:
                    foreach (var target in targets)
                    {
                        ctx.Monitor(target);
                    }
                    ctx.Reply("watching");
                    break;
                case Down down:
                    Assert.Equal(ExitKind.Shutdown, down.Reason.Kind);
                    downs.Add(Array.IndexOf(children, down.Agent));
                    if (downs.Count == N)
                    {
                        allDown.TrySetResult();
                    }
                    break;
            }
            return ValueTask.CompletedTask;
        }));
        var parent = await runtime.SpawnAsync("parent", Agent.FromHandler((ctx, m) =>
        {
            ctx.Reply(Enumerable.Range(0, N).Select(_ => ctx.Spawn(Agent.FromHandler((_, _) => ValueTask.CompletedTask))).ToArray());
            return ValueTask.CompletedTask;
        }));
        children = await runtime.AskAsync<AgentRef[]>(parent, "spawn");
        Assert.Equal("watching", await runtime.AskAsync<string>(watcher, children));
        await runtime.StopAsync(parent).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.All(children, c => Assert.Equal(ExitKind.Shutdown, ((AgentProcess)c).ExitReason!.Kind));
        await allDown.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(Enumerable.Range(0, N).Reverse(), downs);
        Assert.False(children[0].IsAlive);
        children[0].Send("late");
        Assert.Equal(1, runtime.DeadLetterCount);
    }
}
