using System.Runtime.CompilerServices;
using Murmur.Cli.Mesh;
using Murmur.Events;
using Murmur.Logs;

namespace Murmur.Cli.Tests.Mesh;

/// <summary>A node's follower of the control topic rides through log failures; only a configuration error ends it.</summary>
public sealed class MeshNodeFollowTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>An in-memory log whose follow reads of the control topic fail, a given number of times, with the given error.</summary>
    private sealed class FailingControlLog(IEventLog inner, int failures, Func<EventLogException> error) : DelegatingEventLog(inner)
    {
        private int _follows;

        /// <summary>How many follow reads of the control topic were made to fail.</summary>
        public int Failed => Math.Min(Volatile.Read(ref _follows), failures);

        public override IAsyncEnumerable<LogEntry> ReadAsync(string topic, long fromPosition = 1, bool follow = false, CancellationToken cancellationToken = default)
            => follow && topic == TaskRequest.ControlTopic && Interlocked.Increment(ref _follows) <= failures
                ? FailAsync(cancellationToken)
                : base.ReadAsync(topic, fromPosition, follow, cancellationToken);

        private async IAsyncEnumerable<LogEntry> FailAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            throw error();
#pragma warning disable CS0162 // an iterator needs a yield to be one
            yield break;
#pragma warning restore CS0162
        }
    }

    private static async Task AnnounceAsync(IEventLog log, string task)
    {
        var request = new TaskRequest(task, "fix the auth_token leaks", "eventual", $"task-{task}", 1, 1);
        var e = request.ToEvent($"task-{task}", 0);
        await log.AppendAsync(TaskRequest.ControlTopic, new LogRecord(e.EventId, AgentEventCodec.Encode(e)));
    }

    [Fact]
    public async Task AFailedReadOfTheControlTopic_IsFollowedAgain_AndTheNextTaskIsJoined()
    {
        var inner = new InMemoryEventLog();
        var log = new FailingControlLog(inner, failures: 2, () => new EventLogException("the stream's leader is being elected") { IsTransient = true });
        await using var node = await MurmurNode.StartAsync(o => o.UseLog(log));
        var output = new LineWriter();
        var mesh = new MeshNode(node, "n1", new MeshSettings(["researcher"], [], TimeSpan.FromMilliseconds(5)), DemoCommandTests.ExampleTree(), output);
        using var stop = new CancellationTokenSource();
        var run = mesh.RunAsync(serveTools: false, stop.Token);

        var first = await output.WaitForAsync("reading the control topic failed", Patience);
        Assert.Contains("the stream's leader is being elected", first, StringComparison.Ordinal);
        Assert.Contains("following again from position 1 in 1 s", first, StringComparison.Ordinal);
        var second = await output.WaitForAsync("in 2 s", Patience);
        Assert.Contains("reading the control topic failed", second, StringComparison.Ordinal);

        await AnnounceAsync(inner, "t1");
        var joined = await output.WaitForAsync("task t1 (eventual)", Patience);
        Assert.Contains("joining topic task-t1 as researcher", joined, StringComparison.Ordinal);
        Assert.Equal(2, log.Failed);
        Assert.False(run.IsCompleted, $"the node stopped following:\n{output}");

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task AConfigurationError_EndsTheNode_WithTheLogsMessage()
    {
        var log = new FailingControlLog(new InMemoryEventLog(), failures: 1, () => new EventLogException("stream 'MURMUR' not found") { IsConfigurationError = true });
        await using var node = await MurmurNode.StartAsync(o => o.UseLog(log));
        var output = new LineWriter();
        var mesh = new MeshNode(node, "n1", new MeshSettings(["researcher"], [], TimeSpan.FromMilliseconds(5)), DemoCommandTests.ExampleTree(), output);

        var ex = await Assert.ThrowsAsync<EventLogException>(() => mesh.RunAsync(serveTools: false, CancellationToken.None).WaitAsync(Patience));

        Assert.Equal("stream 'MURMUR' not found", ex.Message);
        Assert.DoesNotContain("following again", output.ToString(), StringComparison.Ordinal);
    }
}
