using System.Collections.Concurrent;
using System.Diagnostics;
using Murmur.AI.Events;
using Murmur.AI.Tools;
using Murmur.Events;

namespace Murmur.Nats.Integration.Tests;

/// <summary>
/// An LlmAgent's node process killed (SIGKILL) at chosen points of a task that calls a side-effecting tool on another
/// node, then started again: the agent rebuilds its state from the log, finishes, and every effect happens exactly once.
/// </summary>
public sealed class AgentKillTests
{
    private const string Stream = "MURMUR_AGENTKILL";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAgentAsync(string nodeId, string topic, int steps, string crashAt)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Murmur.TestNode.dll");
        var start = new ProcessStartInfo("dotnet", ["exec", dll, "agent", NatsCluster.Url, Stream, nodeId, topic, steps.ToString(System.Globalization.CultureInfo.InvariantCulture), crashAt])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the agent node");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"agent node ({crashAt}) did not finish: {await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    [Theory]
    [InlineData("after-call:2")]
    [InlineData("after-result:2")]
    [InlineData("after-call:4")]
    public async Task AgentProcessKilledMidTask_RestartsFromTheLog_AndEveryEffectHappensExactlyOnce(string crashAt)
    {
        const int Steps = 4;
        var effects = new ConcurrentQueue<string>();
        var hostId = $"effects-{Guid.NewGuid():N}";
        await using var host = await MurmurNode.StartAsync(o =>
        {
            o.UseNats(new NatsEventLogOptions { Url = NatsCluster.Url, StreamName = Stream, SubjectPrefix = Stream.ToLowerInvariant(), Replicas = 3 });
            o.Options = o.Options with { NodeId = hostId };
        });
        host.Tools().AddSideEffecting((string id) => { effects.Enqueue(id); return "recorded " + id; }, "record_effect");
        await using var mesh = await host.JoinToolMeshAsync();
        var agentNode = $"agent-{Guid.NewGuid():N}";
        var topicName = $"agent-kill-{Guid.NewGuid():N}";

        var killed = await RunAgentAsync(agentNode, topicName, Steps, crashAt);
        Assert.True(killed.ExitCode == 137, $"expected the agent node to kill itself ({crashAt}); exit {killed.ExitCode}: {killed.Stderr}");
        var restarted = await RunAgentAsync(agentNode, topicName, Steps, "none");
        Assert.True(restarted.ExitCode == 0, $"the restarted agent node failed with {restarted.ExitCode}: {restarted.Stderr}");
        Assert.Equal("done", restarted.Stdout.Trim());

        Assert.Equal(["effect-1", "effect-2", "effect-3", "effect-4"], effects);
        Assert.Equal(Steps, mesh.ToolRuns);
        var topic = await host.OpenTopicAsync(topicName);
        await topic.WaitForEventAsync(e => e.Actor == "Worker" && e.Action == Actions.TaskComplete).WaitAsync(Patience);
        var worker = topic.History.Where(e => e.Actor == "Worker").ToList();
        Assert.Single(worker, e => e.Action == Actions.TaskComplete);
        Assert.Equal(Steps, worker.Count(e => e.Action == AiActions.ToolCall));
        Assert.All(worker.Where(e => e.Action == AiActions.ToolResult), e => Assert.True(e.GetPayload().GetProperty("ok").GetBoolean(), e.ToString()));
    }
}
