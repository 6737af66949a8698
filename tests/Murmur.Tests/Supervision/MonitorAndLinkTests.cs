using Murmur.Agents;
using Murmur.Runtime;
using Murmur.Tests.Support;

namespace Murmur.Tests.Supervision;

public sealed class MonitorAndLinkTests
{
    /// <summary>Monitors or links to a target on start, and traps exits when asked to.</summary>
    private sealed class Observer(string name, Probe probe, AgentRef target, bool link, bool trapExit) : Agent
    {
        protected override ValueTask OnStartedAsync(CancellationToken cancellationToken)
        {
            Context.TrapExit = trapExit;
            if (link)
            {
                Context.Link(target);
            }
            else
            {
                Context.Monitor(target);
            }
            probe.Add($"start:{name}");
            return ValueTask.CompletedTask;
        }

        protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        {
            switch (message)
            {
                case Down down:
                    probe.Add($"down:{name}:{down.Agent.Id}:{down.Reason.Kind}");
                    break;
                case Exit exit:
                    probe.Add($"exit:{name}:{exit.Agent.Id}:{exit.Reason.Kind}");
                    break;
                case "demonitor":
                    Context.Demonitor(target);
                    Context.Reply("ok");
                    break;
            }
            return ValueTask.CompletedTask;
        }

        protected override ValueTask OnStoppedAsync(ExitReason reason, CancellationToken cancellationToken)
        {
            probe.Add($"stop:{name}:{reason.Kind}");
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task Monitor_TargetTerminates_DownCarriesTheReason()
    {
        var probe = new Probe();
        await using var runtime = AgentRuntime.Create();
        var target = await runtime.SpawnAsync("t", () => new RecordingAgent("t", probe), new SpawnOptions { Restart = Restart.Temporary });
        await runtime.SpawnAsync("m", () => new Observer("m", probe, target, link: false, trapExit: false));
        target.Send("crash");
        await probe.WaitForCountAsync("down:m:t:Failure", 1);
    }

    [Fact]
    public async Task Monitor_TargetAlreadyDead_DownArrivesAtOnceWithNoProcess()
    {
        var probe = new Probe();
        await using var runtime = AgentRuntime.Create();
        var target = await runtime.SpawnAsync("t", () => new RecordingAgent("t", probe));
        await runtime.StopAsync(target);
        await runtime.SpawnAsync("m", () => new Observer("m", probe, target, link: false, trapExit: false));
        await probe.WaitForCountAsync("down:m:t:NoProcess", 1);
    }

    [Fact]
    public async Task Demonitor_NoDownAfterwards()
    {
        var probe = new Probe();
        await using var runtime = AgentRuntime.Create();
        var target = await runtime.SpawnAsync("t", () => new RecordingAgent("t", probe));
        var m = await runtime.SpawnAsync("m", () => new Observer("m", probe, target, link: false, trapExit: false));
        await runtime.AskAsync<string>(m, "demonitor");
        var other = await runtime.SpawnAsync("m2", () => new Observer("m2", probe, target, link: false, trapExit: false));
        await runtime.StopAsync(target);
        await probe.WaitForCountAsync("down:m2:t:Shutdown", 1);
        // m2's monitor was registered after m's demonitor in t's FIFO system queue, so m's Down would have come first.
        Assert.Equal(0, probe.Entries.Count(e => e.StartsWith("down:m:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Link_AbnormalExit_EndsTheLinkedAgent()
    {
        var probe = new Probe();
        await using var runtime = AgentRuntime.Create();
        var target = await runtime.SpawnAsync("t", () => new RecordingAgent("t", probe), new SpawnOptions { Restart = Restart.Temporary });
        await runtime.SpawnAsync("l", () => new Observer("l", probe, target, link: true, trapExit: false), new SpawnOptions { Restart = Restart.Temporary });
        target.Send("crash");
        await probe.WaitForCountAsync("stop:l:Failure", 1);
    }

    [Fact]
    public async Task Link_TrapExit_ReceivesExitMessageAndLives()
    {
        var probe = new Probe();
        await using var runtime = AgentRuntime.Create();
        var target = await runtime.SpawnAsync("t", () => new RecordingAgent("t", probe), new SpawnOptions { Restart = Restart.Temporary });
        var l = await runtime.SpawnAsync("l", () => new Observer("l", probe, target, link: true, trapExit: true));
        target.Send("crash");
        await probe.WaitForCountAsync("exit:l:t:Failure", 1);
        Assert.True(l.IsAlive);
        Assert.Equal(0, probe.Entries.Count(e => e.StartsWith("stop:l", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Link_NormalExit_DoesNotEndTheLinkedAgent()
    {
        var probe = new Probe();
        await using var runtime = AgentRuntime.Create();
        var target = await runtime.SpawnAsync("t", () => new RecordingAgent("t", probe), new SpawnOptions { Restart = Restart.Transient });
        var l = await runtime.SpawnAsync("l", () => new Observer("l", probe, target, link: true, trapExit: false));
        var w = await runtime.SpawnAsync("w", () => new Observer("w", probe, target, link: false, trapExit: false));
        target.Send("stop");
        await probe.WaitForCountAsync("down:w:t:Normal", 1);
        await runtime.AskAsync<string>(l, "demonitor"); // l's exit signal is handled before this user message
        Assert.True(l.IsAlive);
        Assert.Equal(0, probe.Entries.Count(e => e.StartsWith("stop:l", StringComparison.Ordinal)));
        _ = w;
    }
}
