using Microsoft.Extensions.Time.Testing;
using Murmur.Agents;
using Murmur.Runtime;
using Murmur.Tests.Support;

namespace Murmur.Tests.Runtime;

public sealed class MessagingTests
{
    private sealed class Collector(int expected, TaskCompletionSource<List<int>> done) : Agent
    {
        private readonly List<int> _seen = [];

        protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        {
            _seen.Add((int)message);
            if (_seen.Count == expected)
            {
                done.TrySetResult(_seen);
            }
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task OneSenderToOneReceiver_ArrivesInSendOrder()
    {
        const int N = 100_000;
        await using var runtime = AgentRuntime.Create();
        var done = new TaskCompletionSource<List<int>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiver = runtime.Spawn(() => new Collector(N, done));
        var sender = runtime.Spawn(Agent.FromHandler((ctx, msg) =>
        {
            for (var i = 0; i < N; i++)
            {
                ctx.Send(receiver, i);
            }
            return ValueTask.CompletedTask;
        }));
        sender.Send("go");
        var seen = await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, N), seen);
    }

    [Fact]
    public async Task ManySenders_EachSendersOrderIsKept()
    {
        const int Senders = 8, PerSender = 10_000;
        await using var runtime = AgentRuntime.Create();
        var done = new TaskCompletionSource<List<int>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiver = runtime.Spawn(() => new Collector(Senders * PerSender, done));
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(s => Task.Run(() =>
        {
            for (var i = 0; i < PerSender; i++)
            {
                receiver.Send((s * PerSender) + i);
            }
        })));
        var seen = await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        for (var s = 0; s < Senders; s++)
        {
            var mine = seen.Where(v => v / PerSender == s).ToList();
            Assert.Equal(Enumerable.Range(s * PerSender, PerSender), mine);
        }
    }

    [Fact]
    public async Task Ask_ReturnsTheReply()
    {
        var probe = new Probe();
        await using var runtime = AgentRuntime.Create();
        var agent = await runtime.SpawnAsync("echo", () => new RecordingAgent("echo", probe));
        Assert.Equal("pong", await runtime.AskAsync<string>(agent, "ping"));
    }

    [Fact]
    public async Task Ask_NoReply_TimesOutWithAClearMessage()
    {
        var time = new FakeTimeProvider();
        var probe = new Probe();
        await using var runtime = AgentRuntime.Create(new AgentRuntimeOptions { TimeProvider = time });
        var agent = await runtime.SpawnAsync("silent", () => new RecordingAgent("silent", probe));
        var ask = runtime.AskAsync<string>(agent, "nothing", TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(ask.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<TimeoutException>(() => ask);
        Assert.Contains("'silent' did not reply within 5000 ms", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_Cancelled_ThrowsOperationCanceled()
    {
        var probe = new Probe();
        await using var runtime = AgentRuntime.Create();
        var agent = await runtime.SpawnAsync("silent", () => new RecordingAgent("silent", probe));
        using var cts = new CancellationTokenSource();
        var ask = runtime.AskAsync<string>(agent, "nothing", TimeSpan.FromMinutes(5), cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ask);
    }

    [Fact]
    public async Task Ask_AlreadyCancelledToken_ThrowsOperationCanceled()
    {
        await using var runtime = AgentRuntime.Create();
        var echo = runtime.Spawn(Agent.FromHandler((ctx, m) =>
        {
            ctx.Reply(m);
            return ValueTask.CompletedTask;
        }));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runtime.AskAsync<string>(echo, "hi", TimeSpan.FromSeconds(5), new CancellationToken(canceled: true)));
        Assert.Equal("hi", await runtime.AskAsync<string>(echo, "hi", TimeSpan.FromMilliseconds(50)));
        Assert.Equal("again", await runtime.AskAsync<string>(echo, "again", Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public async Task Ask_WrongReplyType_SaysWhatItGot()
    {
        var probe = new Probe();
        await using var runtime = AgentRuntime.Create();
        var agent = await runtime.SpawnAsync("echo", () => new RecordingAgent("echo", probe));
        var error = await Assert.ThrowsAsync<InvalidCastException>(() => runtime.AskAsync<int>(agent, "ping"));
        Assert.Contains("replied with String", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_FromInsideAnAgent_Works()
    {
        var probe = new Probe();
        await using var runtime = AgentRuntime.Create();
        var echo = await runtime.SpawnAsync("echo", () => new RecordingAgent("echo", probe));
        var asker = runtime.Spawn(Agent.FromHandler(async (ctx, msg) => ctx.Reply("got " + await ctx.AskAsync<string>(echo, "ping", TimeSpan.FromSeconds(20)))));
        Assert.Equal("got pong", await runtime.AskAsync<string>(asker, "go"));
    }

    [Fact]
    public async Task SendToTerminatedAgent_IsADeadLetter()
    {
        var probe = new Probe();
        await using var runtime = AgentRuntime.Create();
        var agent = await runtime.SpawnAsync("a", () => new RecordingAgent("a", probe));
        await runtime.StopAsync(agent);
        var before = runtime.DeadLetterCount;
        agent.Send("late");
        Assert.Equal(before + 1, runtime.DeadLetterCount);
        Assert.False(agent.IsAlive);
        await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.AskAsync<string>(agent, "ping"));
    }

    [Fact]
    public async Task NamedIds_AreUniqueAndLookedUp()
    {
        var probe = new Probe();
        await using var runtime = AgentRuntime.Create();
        var a = await runtime.SpawnAsync("Researcher_Agent_3", () => new RecordingAgent("a", probe));
        Assert.True(runtime.TryGet("Researcher_Agent_3", out var found));
        Assert.Same(a, found);
        var error = Assert.Throws<AgentIdConflictException>(() => runtime.Spawn("Researcher_Agent_3", () => new RecordingAgent("b", probe)));
        Assert.Contains("Researcher_Agent_3", error.Message, StringComparison.Ordinal);
        await runtime.StopAsync(a);
        Assert.False(runtime.TryGet("Researcher_Agent_3", out _));
        var again = await runtime.SpawnAsync("Researcher_Agent_3", () => new RecordingAgent("c", probe));
        Assert.True(again.IsAlive);
    }

    [Theory]
    [InlineData("")]
    [InlineData("$root")]
    [InlineData("has space")]
    [InlineData("tab\there")]
    public void AgentId_Invalid_IsRefusedWithAReason(string name)
        => Assert.Throws<ArgumentException>(() => AgentId.Of(name));

    [Fact]
    public async Task SpawnAsync_StartFails_ThrowsAndKeepsNothing()
    {
        await using var runtime = AgentRuntime.Create();
        var error = await Assert.ThrowsAsync<AgentStartException>(() => runtime.SpawnAsync("bad", () => throw new InvalidOperationException("no config")));
        Assert.Contains("no config", error.Message, StringComparison.Ordinal);
        Assert.False(runtime.TryGet("bad", out _));
        Assert.Empty(runtime.Agents);
    }
}
