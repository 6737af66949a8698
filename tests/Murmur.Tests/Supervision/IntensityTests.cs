using Microsoft.Extensions.Time.Testing;
using Murmur.Agents;
using Murmur.Runtime;
using Murmur.Supervision;
using Murmur.Tests.Support;

namespace Murmur.Tests.Supervision;

public sealed class IntensityTests
{
    private const int MaxRestarts = 3;
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    /// <summary>A root that stops (rather than restarts) a supervisor that gave up, so the test can see the Down.</summary>
    private static AgentRuntime CreateRuntime(FakeTimeProvider time) => AgentRuntime.Create(new AgentRuntimeOptions
    {
        TimeProvider = time,
        RootSupervisor = new SupervisorStrategy { Decider = _ => SupervisorDirective.Stop },
    });

    [Fact]
    public async Task CrashLoop_EscalatesAfterExactlyMaxRestartsPlusOneCrashesWithinPeriod()
    {
        var time = new FakeTimeProvider();
        await using var runtime = CreateRuntime(time);
        var probe = new Probe();
        var sup = await runtime.SpawnAsync("sup", () => new SupervisorAgent(probe, SupervisorStrategy.OneForOne(MaxRestarts, Period), ("w", Restart.Permanent)));
        var down = new TaskCompletionSource<Down>(TaskCreationOptions.RunContinuationsAsynchronously);
        await runtime.SpawnAsync("watcher", () => new DownWatcher(sup, down));

        for (var crash = 1; crash <= MaxRestarts; crash++)
        {
            runtime.TryGet("w", out var worker);
            worker!.Send("crash");
            await probe.WaitForCountAsync("start:w", crash + 1);
            time.Advance(TimeSpan.FromSeconds(1)); // all within the period
        }
        Assert.True(sup.IsAlive);
        Assert.False(down.Task.IsCompleted);

        runtime.TryGet("w", out var last);
        last!.Send("crash");
        var result = await down.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var failure = Assert.IsType<RestartIntensityExceededException>(result.Reason.Exception);
        Assert.Equal("w", failure.Child.ToString());
        Assert.Equal(MaxRestarts + 1, probe.Count("start:w"));
        Assert.Equal(MaxRestarts + 1, probe.Count("stop:w")); // each restart stops the old instance; the last by the giving-up supervisor
    }

    [Fact]
    public async Task CrashesSpreadOutInTime_NeverEscalate()
    {
        var time = new FakeTimeProvider();
        await using var runtime = CreateRuntime(time);
        var probe = new Probe();
        var sup = await runtime.SpawnAsync("sup", () => new SupervisorAgent(probe, SupervisorStrategy.OneForOne(MaxRestarts, Period), ("w", Restart.Permanent)));

        const int Crashes = 3 * MaxRestarts;
        for (var crash = 1; crash <= Crashes; crash++)
        {
            runtime.TryGet("w", out var worker);
            worker!.Send("crash");
            await probe.WaitForCountAsync("start:w", crash + 1);
            time.Advance(Period / 2); // at most two restarts fall within any period
        }
        Assert.True(sup.IsAlive);
        Assert.Equal(1, probe.Count("start:sup"));
    }

    [Fact]
    public async Task EscalationOutOfTheRoot_StopsTheRuntimeWithAClearError()
    {
        var time = new FakeTimeProvider();
        var runtime = AgentRuntime.Create(new AgentRuntimeOptions { TimeProvider = time, RootSupervisor = SupervisorStrategy.OneForOne(1, Period) });
        var probe = new Probe();
        await runtime.SpawnAsync("a", () => new RecordingAgent("a", probe));
        runtime.TryGet("a", out var a);
        a!.Send("crash");
        await probe.WaitForCountAsync("start:a", 2);
        a.Send("crash");
        var error = await Assert.ThrowsAsync<RuntimeFailedException>(() => runtime.Completion.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("root supervisor", error.Message, StringComparison.Ordinal);
        Assert.IsType<RestartIntensityExceededException>(error.InnerException);
        Assert.False(a.IsAlive);
        Assert.Throws<InvalidOperationException>(() => runtime.Spawn(() => new RecordingAgent("b", probe)));
        await runtime.DisposeAsync(); // disposing a failed runtime does not throw
    }

    [Fact]
    public async Task Backoff_DelaysRestartUntilTimeAdvances()
    {
        var time = new FakeTimeProvider();
        await using var runtime = CreateRuntime(time);
        var probe = new Probe();
        var strategy = new SupervisorStrategy
        {
            MaxRestarts = 10,
            Period = TimeSpan.FromMinutes(1),
            Backoff = new RestartBackoff { Initial = TimeSpan.FromSeconds(2), Max = TimeSpan.FromSeconds(2), Jitter = 0 },
        };
        var scheduled = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        runtime.TimerScheduled = delay => scheduled.TrySetResult(delay);
        await runtime.SpawnAsync("sup", () => new SupervisorAgent(probe, strategy, ("w", Restart.Permanent)));
        runtime.TryGet("w", out var worker);
        worker!.Send("crash");
        Assert.Equal(TimeSpan.FromSeconds(2), await scheduled.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(1, probe.Count("start:w"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, probe.Count("start:w"));
        time.Advance(TimeSpan.FromSeconds(2));
        await probe.WaitForCountAsync("start:w", 2);
    }

    [Fact]
    public void Backoff_GrowsExponentiallyUpToMax()
    {
        var backoff = new RestartBackoff { Initial = TimeSpan.FromMilliseconds(100), Max = TimeSpan.FromSeconds(1), Jitter = 0 };
        var random = new Random(1);
        Assert.Equal(TimeSpan.FromMilliseconds(100), backoff.DelayFor(1, random));
        Assert.Equal(TimeSpan.FromMilliseconds(200), backoff.DelayFor(2, random));
        Assert.Equal(TimeSpan.FromMilliseconds(800), backoff.DelayFor(4, random));
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.DelayFor(10, random));
    }
}
