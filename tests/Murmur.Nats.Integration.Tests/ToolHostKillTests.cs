using System.Text.Json;
using Murmur.AI.Tools;
using Murmur.AI.Tools.Mesh;

namespace Murmur.Nats.Integration.Tests;

/// <summary>
/// A tool host process killed (SIGKILL) at chosen points of a side-effecting call over NATS, then restarted: the
/// call is answered, the effect happens at most once, and the restarted host serves new calls.
/// </summary>
public sealed class ToolHostKillTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private readonly string _effects = Path.Combine(Path.GetTempPath(), $"murmur-effects-{Guid.NewGuid():N}.txt");

    public void Dispose() => File.Delete(_effects);

    private string[] Effects() => File.Exists(_effects) ? File.ReadAllLines(_effects) : [];

    [Theory]
    [InlineData("after-claim", 0, false)]
    [InlineData("after-effect", 1, false)]
    [InlineData("after-result", 1, true)]
    public async Task HostKilledMidCall_AfterItsRestart_TheCallIsAnswered_AndTheEffectHappensAtMostOnce(string crashAt, int effectsDone, bool answeredOk)
    {
        const string Stream = "MURMUR_TOOLKILL";
        var hostId = $"tool-host-{Guid.NewGuid():N}";
        await using var caller = await MurmurNode.StartAsync(o =>
        {
            o.UseNats(new NatsEventLogOptions { Url = NatsCluster.Url, StreamName = Stream, SubjectPrefix = Stream.ToLowerInvariant(), Replicas = 3 });
            o.Options = o.Options with { NodeId = $"caller-{Guid.NewGuid():N}" };
        });
        await using var mesh = await caller.JoinToolMeshAsync(new ToolMeshOptions { CallTimeout = Patience });

        RemoteReply reply;
        using (var doomed = await ToolHostProcess.StartAsync(Stream, hostId, _effects, crashAt))
        {
            var hosted = await mesh.WaitForToolAsync("record_effect").WaitAsync(Patience);
            Assert.Equal(hostId, hosted.Node);
            Assert.True(hosted.SideEffecting);
            var call = mesh.CallAsync(hostId, "record_effect", new Dictionary<string, object?> { ["id"] = "effect-1" }, "call-1", "tester");
            Assert.Equal(137, await doomed.WaitForDeathAsync()); // 128 + SIGKILL

            using var restarted = await ToolHostProcess.StartAsync(Stream, hostId, _effects, "none");
            reply = await call.WaitAsync(Patience);
            var next = await mesh.CallAsync(hostId, "record_effect", new Dictionary<string, object?> { ["id"] = "effect-2" }, "call-2", "tester").WaitAsync(Patience);
            Assert.True(next.Ok, next.Error);

            var stats = JsonDocument.Parse(await restarted.StopAsync()).RootElement;
            Assert.Equal(1, stats.GetProperty("tool_runs").GetInt64()); // call-2 only: call-1 never ran again
            Assert.Equal(answeredOk ? 0 : 1, stats.GetProperty("unknown_outcomes").GetInt64());
        }

        Assert.Equal(answeredOk, reply.Ok);
        if (!answeredOk)
        {
            Assert.Contains("outcome unknown", reply.Error, StringComparison.Ordinal);
        }
        var expected = Enumerable.Repeat("effect-1", effectsDone).Append("effect-2");
        Assert.Equal(expected, Effects());
    }

    [Fact]
    public async Task AnAgentOnOneNodeCallsAToolOnAnother_OverNats_ExactlyOnce()
    {
        const string Stream = "MURMUR_MESH";
        var hostId = $"mesh-host-{Guid.NewGuid():N}";
        NatsEventLogOptions Log() => new() { Url = NatsCluster.Url, StreamName = Stream, SubjectPrefix = Stream.ToLowerInvariant(), Replicas = 3 };
        await using var host = await MurmurNode.StartAsync(o => { o.UseNats(Log()); o.Options = o.Options with { NodeId = hostId }; });
        var runs = 0;
        host.Tools().Add((int n) => { Interlocked.Increment(ref runs); return n * 2; }, "double", "Doubles n.");
        await using var hostMesh = await host.JoinToolMeshAsync();
        await using var caller = await MurmurNode.StartAsync(o => { o.UseNats(Log()); o.Options = o.Options with { NodeId = $"mesh-caller-{Guid.NewGuid():N}" }; });
        await using var callerMesh = await caller.JoinToolMeshAsync();
        await callerMesh.WaitForToolAsync("double").WaitAsync(Patience);

        var replies = new List<RemoteReply>();
        for (var i = 0; i < 50; i++)
        {
            replies.Add(await callerMesh.CallAsync(hostId, "double", new Dictionary<string, object?> { ["n"] = i }, $"call-{Guid.NewGuid():N}", "tester").WaitAsync(Patience));
        }

        Assert.All(replies, r => Assert.True(r.Ok, r.Error));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i * 2), replies.Select(r => r.Result.GetInt32()));
        Assert.All(replies, r => Assert.Equal(hostId, r.Host));
        Assert.Equal(50, Volatile.Read(ref runs));
        Assert.Equal(50, hostMesh.ToolRuns);
        Assert.Equal(0, hostMesh.DuplicateRequests);
    }
}
