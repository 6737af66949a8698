using Murmur.Cli.Commands;

namespace Murmur.Cli.Tests;

public sealed class RuntimeWatchTests
{
    private sealed class Crasher : Agent
    {
        protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
            => throw new InvalidOperationException("crash on purpose");
    }

    [Fact]
    public async Task ARuntimeThatDies_CancelsTheCommand_AndSaysWhyInOneLine()
    {
        await using var runtime = AgentRuntime.Create(new AgentRuntimeOptions { RootSupervisor = SupervisorStrategy.OneForOne(0, TimeSpan.FromMinutes(1)) });
        using var stop = new CancellationTokenSource();
        using var watch = RuntimeWatch.Link(runtime, stop.Token);
        var died = new TaskCompletionSource();
        using var registration = watch.Token.Register(died.SetResult);
        Assert.Null(RuntimeWatch.DeathLine(runtime, "n1", stopping: false));

        var crasher = await runtime.SpawnAsync("c", () => new Crasher());
        crasher.Send("boom");
        await died.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(stop.IsCancellationRequested);
        var line = RuntimeWatch.DeathLine(runtime, "n1", stopping: false);
        Assert.NotNull(line);
        Assert.StartsWith("the runtime of node n1 died (", line, StringComparison.Ordinal);
        Assert.Contains("root supervisor", line, StringComparison.Ordinal);
        Assert.Null(RuntimeWatch.DeathLine(runtime, "n1", stopping: true)); // asked to stop: no complaint
    }
}
