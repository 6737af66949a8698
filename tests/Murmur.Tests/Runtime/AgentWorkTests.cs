using System.Runtime.CompilerServices;
using Murmur.Agents;
using Murmur.Runtime;

namespace Murmur.Tests.Runtime;

/// <summary>Work posted by the layers above the runtime (topic wake-ups) and user messages take turns.</summary>
public sealed class AgentWorkTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Work that posts itself again every time it runs: an endless stream of work.</summary>
    private sealed class Endless(AgentRef target) : AgentWork
    {
        public long Runs;

        public override ValueTask RunAsync(Agent agent, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Runs);
            target.PostWork(this);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Once(TaskCompletionSource ran) : AgentWork
    {
        public override ValueTask RunAsync(Agent agent, CancellationToken cancellationToken)
        {
            ran.TrySetResult();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Replier : Agent
    {
        protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        {
            if (message is "ping")
            {
                Context.Reply("pong");
            }
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Throwing : AgentWork
    {
        public override ValueTask RunAsync(Agent agent, CancellationToken cancellationToken) => throw new InvalidOperationException("work failed");
    }

    [Fact]
    public async Task EndlessWork_DoesNotStarveUserMessages()
    {
        await using var runtime = AgentRuntime.Create();
        var agent = runtime.Spawn(() => new Replier());
        var endless = new Endless(agent);
        agent.PostWork(endless);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("pong", await runtime.AskAsync<string>(agent, "ping", Patience));
        }
        Assert.True(Interlocked.Read(ref endless.Runs) > 0);
    }

    /// <summary>Blocks on "block" until released; counts every "noise".</summary>
    private sealed class Counting(TaskCompletionSource release, StrongBox<int> noise) : Agent
    {
        protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        {
            if (message is "block")
            {
                await release.Task;
            }
            else if (message is "noise")
            {
                noise.Value++;
            }
        }
    }

    private sealed class ReadsCount(StrongBox<int> noise, TaskCompletionSource<int> ran) : AgentWork
    {
        public override ValueTask RunAsync(Agent agent, CancellationToken cancellationToken)
        {
            ran.TrySetResult(noise.Value);
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task AFloodOfUserMessages_DoesNotStarveWork()
    {
        const int Flood = 100_000;
        await using var runtime = AgentRuntime.Create();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var noise = new StrongBox<int>();
        var agent = runtime.Spawn(() => new Counting(release, noise));
        agent.Send("block");
        for (var i = 0; i < Flood; i++)
        {
            agent.Send("noise");
        }
        var ran = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.PostWork(new ReadsCount(noise, ran));
        release.SetResult();
        var handledBefore = await ran.Task.WaitAsync(Patience);
        Assert.True(handledBefore < Flood, $"the work waited for all {Flood} messages");
    }

    [Fact]
    public async Task WorkThatThrows_CrashesTheAgent_AndItsSupervisorRestartsIt()
    {
        var started = 0;
        await using var runtime = AgentRuntime.Create();
        var agent = runtime.Spawn(() =>
        {
            Interlocked.Increment(ref started);
            return new Replier();
        });
        agent.PostWork(new Throwing());
        Assert.Equal("pong", await runtime.AskAsync<string>(agent, "ping", Patience));
        Assert.Equal(2, Volatile.Read(ref started));
    }
}
