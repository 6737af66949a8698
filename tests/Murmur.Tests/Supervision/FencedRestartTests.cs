using Murmur.Agents;
using Murmur.Runtime;
using Murmur.Tests.Support;

namespace Murmur.Tests.Supervision;

/// <summary>
/// An agent another node claimed (fenced) must never run here again: restarting it only fails again at once, and a
/// few such failures within the restart period would make its supervisor give up, taking the node's runtime down with it
/// (a zombie node that came back from a pause would stop for the wrong reason, before it reads that it was declared down).
/// </summary>
public sealed class FencedRestartTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>Crashes on "crash"; every start after the first finds the agent claimed by node b at epoch 2.</summary>
    private sealed class FencedOnRestart(Probe probe) : Agent
    {
        protected override ValueTask OnStartedAsync(CancellationToken cancellationToken)
        {
            probe.Add("start");
            if (probe.Count("start") > 1)
            {
                throw new AgentFencedException("Worker", "work", "b", 2);
            }
            return ValueTask.CompletedTask;
        }

        protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
            => message is "crash" ? throw new InvalidOperationException("crash on purpose") : ValueTask.CompletedTask;
    }

    [Fact]
    public async Task AnAgentFencedWhenItRestarts_IsStopped_NotRestartedAgain_AndTheRuntimeLivesOn()
    {
        await using var runtime = AgentRuntime.Create(new AgentRuntimeOptions());
        var probe = new Probe();
        var worker = await runtime.SpawnAsync("Worker", () => new FencedOnRestart(probe));
        var sibling = await runtime.SpawnAsync("Sibling", () => new FencedOnRestart(new Probe()));
        var down = new TaskCompletionSource<Down>(TaskCreationOptions.RunContinuationsAsynchronously);
        await runtime.SpawnAsync("Watcher", () => new DownWatcher(worker, down));

        worker.Send("crash");

        Assert.True(await Task.WhenAny(down.Task, Task.Delay(Patience)) == down.Task,
            $"the fenced agent did not stop: {probe.Count("start")} starts, runtime stopped: {runtime.Completion.IsCompleted}");
        var ended = await down.Task;
        var fenced = Assert.IsType<AgentFencedException>(ended.Reason.Exception);
        Assert.Equal("b", fenced.Owner);
        Assert.Equal(2, probe.Count("start")); // the restart that found it fenced, and no other
        Assert.False(runtime.Completion.IsCompleted, "the runtime stopped over a fenced agent");
        Assert.True(sibling.IsAlive);
        Assert.False(runtime.TryGet("Worker", out _));
    }
}
