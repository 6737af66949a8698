using Murmur.Agents;
using Murmur.Runtime;
using Murmur.Supervision;
using Murmur.Tests.Support;

namespace Murmur.Tests.Supervision;

public sealed class StrategyTests
{
    private static async Task<(AgentRuntime Runtime, AgentRef Sup)> StartAsync(Probe probe, SupervisorStrategy strategy, params (string, Restart)[] children)
    {
        var runtime = AgentRuntime.Create();
        var sup = await runtime.SpawnAsync("sup", () => new SupervisorAgent(probe, strategy, children));
        return (runtime, sup);
    }

    private static AgentRef Child(AgentRuntime runtime, string name)
        => runtime.TryGet(name, out var child) ? child : throw new InvalidOperationException($"no child {name}");

    private static List<string> After(Probe probe, int index) => [.. probe.Entries.Skip(index)];

    [Fact]
    public async Task Children_StartInOrder_AndStopInReverseOrderOnShutdown()
    {
        var probe = new Probe();
        var (runtime, _) = await StartAsync(probe, SupervisorStrategy.OneForOne(), ("a", Restart.Permanent), ("b", Restart.Permanent), ("c", Restart.Permanent));
        await runtime.DisposeAsync();
        Assert.Equal(["start:sup", "start:a", "start:b", "start:c", "stop:c", "stop:b", "stop:a", "stop:sup:Shutdown"], probe.Entries);
    }

    [Fact]
    public async Task OneForOne_ChildCrashes_OnlyThatChildRestarts()
    {
        var probe = new Probe();
        var (runtime, _) = await StartAsync(probe, SupervisorStrategy.OneForOne(), ("a", Restart.Permanent), ("b", Restart.Permanent), ("c", Restart.Permanent));
        await using var _r = runtime;
        var mark = probe.Entries.Count;
        Child(runtime, "b").Send("crash");
        await probe.WaitForCountAsync("start:b", 2);
        Assert.Equal(["stop:b", "start:b"], After(probe, mark));
        Child(runtime, "b").Send("hello");
        await probe.WaitForCountAsync("msg:b:hello", 1);
    }

    [Fact]
    public async Task OneForAll_ChildCrashes_OthersStopInReverseThenAllStartInOrder()
    {
        var probe = new Probe();
        var (runtime, _) = await StartAsync(probe, SupervisorStrategy.OneForAll(), ("a", Restart.Permanent), ("b", Restart.Permanent), ("c", Restart.Permanent));
        await using var _r = runtime;
        var mark = probe.Entries.Count;
        Child(runtime, "b").Send("crash");
        await probe.WaitForCountAsync("start:c", 2);
        Assert.Equal(["stop:c", "stop:b", "stop:a", "start:a", "start:b", "start:c"], After(probe, mark));
    }

    [Fact]
    public async Task RestForOne_ChildCrashes_ItAndLaterSiblingsRestartInOrder()
    {
        var probe = new Probe();
        var (runtime, _) = await StartAsync(probe, SupervisorStrategy.RestForOne(), ("a", Restart.Permanent), ("b", Restart.Permanent), ("c", Restart.Permanent), ("d", Restart.Permanent));
        await using var _r = runtime;
        var mark = probe.Entries.Count;
        Child(runtime, "b").Send("crash");
        await probe.WaitForCountAsync("start:d", 2);
        Assert.Equal(["stop:d", "stop:c", "stop:b", "start:b", "start:c", "start:d"], After(probe, mark));
        Assert.Equal(1, probe.Count("start:a"));
    }

    [Fact]
    public async Task Transient_NormalExit_IsNotRestarted()
    {
        var probe = new Probe();
        var (runtime, sup) = await StartAsync(probe, SupervisorStrategy.OneForOne(), ("t", Restart.Transient));
        await using var _r = runtime;
        var child = Child(runtime, "t");
        child.Send("stop");
        await probe.WaitForCountAsync("stop:t", 1);
        var children = await runtime.AskAsync<string[]>(sup, "children");
        Assert.Empty(children);
        Assert.Equal(1, probe.Count("start:t"));
        Assert.False(child.IsAlive);
    }

    [Fact]
    public async Task Transient_Crash_IsRestarted()
    {
        var probe = new Probe();
        var (runtime, _) = await StartAsync(probe, SupervisorStrategy.OneForOne(), ("t", Restart.Transient));
        await using var _r = runtime;
        Child(runtime, "t").Send("crash");
        await probe.WaitForCountAsync("start:t", 2);
    }

    [Fact]
    public async Task Permanent_NormalExit_IsRestarted()
    {
        var probe = new Probe();
        var (runtime, _) = await StartAsync(probe, SupervisorStrategy.OneForOne(), ("p", Restart.Permanent));
        await using var _r = runtime;
        Child(runtime, "p").Send("stop");
        await probe.WaitForCountAsync("start:p", 2);
        Assert.True(Child(runtime, "p").IsAlive);
    }

    [Fact]
    public async Task Temporary_Crash_IsNeverRestarted()
    {
        var probe = new Probe();
        var (runtime, sup) = await StartAsync(probe, SupervisorStrategy.OneForOne(), ("x", Restart.Temporary));
        await using var _r = runtime;
        var child = Child(runtime, "x");
        child.Send("crash");
        await probe.WaitForCountAsync("stop:x", 1);
        Assert.Empty(await runtime.AskAsync<string[]>(sup, "children"));
        Assert.Equal(1, probe.Count("start:x"));
    }

    [Fact]
    public async Task OneForAll_TemporarySibling_IsStoppedAndNotRestarted()
    {
        var probe = new Probe();
        var (runtime, sup) = await StartAsync(probe, SupervisorStrategy.OneForAll(), ("a", Restart.Permanent), ("tmp", Restart.Temporary), ("c", Restart.Permanent));
        await using var _r = runtime;
        var mark = probe.Entries.Count;
        Child(runtime, "a").Send("crash");
        await probe.WaitForCountAsync("start:c", 2);
        Assert.Equal(["stop:c", "stop:tmp", "stop:a", "start:a", "start:c"], After(probe, mark));
        Assert.Equal(["a", "c"], await runtime.AskAsync<string[]>(sup, "children"));
    }

    [Fact]
    public async Task Decider_Resume_KeepsInstance()
    {
        var probe = new Probe();
        var strategy = new SupervisorStrategy { Decider = _ => SupervisorDirective.Resume };
        var (runtime, _) = await StartAsync(probe, strategy, ("a", Restart.Permanent));
        await using var _r = runtime;
        Child(runtime, "a").Send("crash");
        Child(runtime, "a").Send("after");
        await probe.WaitForCountAsync("msg:a:after", 1);
        Assert.Equal(1, probe.Count("start:a"));
        Assert.Equal(0, probe.Count("stop:a"));
    }

    [Fact]
    public async Task Decider_Stop_TerminatesChild()
    {
        var probe = new Probe();
        var strategy = new SupervisorStrategy { Decider = _ => SupervisorDirective.Stop };
        var (runtime, _) = await StartAsync(probe, strategy, ("a", Restart.Permanent));
        await using var _r = runtime;
        var child = Child(runtime, "a");
        child.Send("crash");
        await probe.WaitForCountAsync("stop:a", 1);
        Assert.Equal(1, probe.Count("start:a"));
        await WaitUntilDeadAsync(runtime, child);
    }

    internal static async Task WaitUntilDeadAsync(AgentRuntime runtime, AgentRef target)
    {
        var probe = new Probe();
        runtime.Spawn(() => new MonitorAgent(target, probe));
        await probe.WaitForCountAsync("down", 1);
        Assert.False(target.IsAlive);
    }

    private sealed class MonitorAgent(AgentRef target, Probe probe) : Agent
    {
        protected override ValueTask OnStartedAsync(CancellationToken cancellationToken)
        {
            Context.Monitor(target);
            return ValueTask.CompletedTask;
        }

        protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        {
            if (message is Down)
            {
                probe.Add("down");
            }
            return ValueTask.CompletedTask;
        }
    }
}
