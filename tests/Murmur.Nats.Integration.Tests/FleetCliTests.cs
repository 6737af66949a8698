using Murmur.AI.Events;
using Murmur.Events;
using Murmur.Topics;
namespace Murmur.Nats.Integration.Tests;

/// <summary>
/// Three `murmur node` processes over the NATS cluster — a researcher, a coder and reviewer, and a standby that takes
/// any role over — and a task; the researcher's node is killed, restarted, or paused mid-task. The task always finishes,
/// and every effect (a finding, a proposal per finding, a review per proposal) is in the delivered history at most once.
/// </summary>
public sealed class FleetCliTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private sealed record Mesh(string Id, OutputProcess Researcher, OutputProcess Coder, OutputProcess Standby) : IDisposable
    {
        public string ResearcherId => $"r{Id}";

        public void Dispose()
        {
            Researcher.Dispose();
            Coder.Dispose();
            Standby.Dispose();
        }
    }

    private static string[] NodeArgs(string id, string roleOption, string roles, string[] extra)
        => ["node", "--log", NatsCluster.Url, roleOption, roles, "--root", MeshCliTests.ExampleTree(), "--node-id", id, "--think-ms", "300", .. extra];

    private static OutputProcess StartResearcher(string id, string[] extra) => OutputProcess.Murmur(NodeArgs($"r{id}", "--agents", "researcher", extra));

    private static async Task<Mesh> StartMeshAsync(params string[] extra)
    {
        var id = Guid.NewGuid().ToString("N")[..6];
        var mesh = new Mesh(id, StartResearcher(id, extra), OutputProcess.Murmur(NodeArgs($"c{id}", "--agents", "coder,reviewer", extra)),
            OutputProcess.Murmur(NodeArgs($"s{id}", "--takeover", "researcher,coder,reviewer", extra)));
        await mesh.Researcher.WaitForLineAsync(l => l.Contains("waiting for tasks", StringComparison.Ordinal), Patience);
        await mesh.Coder.WaitForLineAsync(l => l.Contains("waiting for tasks", StringComparison.Ordinal), Patience);
        await mesh.Standby.WaitForLineAsync(l => l.Contains("standby, takes over", StringComparison.Ordinal), Patience);
        return mesh;
    }

    /// <summary>Announces a task; returns the `task start --wait` process and the task's id once its first FINDING is out.</summary>
    private static async Task<(OutputProcess Task, string Id)> StartTaskAsync()
    {
        var task = OutputProcess.Murmur("task", "start", "fix the auth_token leaks", "--log", NatsCluster.Url, "--researchers", "1", "--wait", "110");
        var announced = await task.WaitForLineAsync(l => l.Contains(" announced: topic task-", StringComparison.Ordinal), Patience);
        await task.WaitForLineAsync(l => l.StartsWith("Researcher_", StringComparison.Ordinal) && l.Contains("FINDING", StringComparison.Ordinal), Patience);
        return (task, announced.Split(' ')[1]);
    }

    private static async Task FinishesAsync(OutputProcess task, Mesh mesh)
    {
        var code = await task.WaitForExitAsync(Patience);
        Assert.True(code == 0, $"task failed:\n{task.Output}\nresearcher:\n{mesh.Researcher.Output}\ncoder:\n{mesh.Coder.Output}\nstandby:\n{mesh.Standby.Output}");
    }

    /// <summary>Reads the task's topic through a node (fencing included), checks every effect happened at most once, and returns the owners of each agent's epochs.</summary>
    private static async Task<IReadOnlyDictionary<(string Agent, ulong Epoch), string>> CheckEffectsAsync(string taskId)
    {
        await using var log = await NatsCluster.ConnectAsync("MURMUR", replicas: 1);
        await using var node = await MurmurNode.StartAsync(o => o.UseLog(log));
        return CheckEffects(await node.OpenTopicAsync($"task-{taskId}"));
    }

    /// <summary>Checks that every effect in a task's topic happened at most once and both sides completed; returns the owners of each agent's epochs.</summary>
    internal static IReadOnlyDictionary<(string Agent, ulong Epoch), string> CheckEffects(Topic topic)
    {
        var history = topic.History;
        static string Field(AgentEvent e, string name) => e.GetPayload().GetProperty(name).ToString();
        var findings = history.Where(e => e.Action == AiActions.Finding).Select(e => $"{e.Actor} {Field(e, "path")}:{Field(e, "line")}").ToList();
        Assert.Equal(findings.Distinct().Count(), findings.Count);
        Assert.NotEmpty(findings);
        var proposals = history.Where(e => e.Action == "PROPOSAL").Select(e => Field(e, "finding")).ToList();
        Assert.Equal(proposals.Distinct().Count(), proposals.Count);
        var reviews = history.Where(e => e.Action == "REVIEW").Select(e => Field(e, "proposal")).ToList();
        Assert.Equal(reviews.Distinct().Count(), reviews.Count);
        Assert.Single(history, e => e.Action == Actions.TaskComplete && e.Actor.StartsWith("Coder", StringComparison.Ordinal));
        Assert.Single(history, e => e.Action == Actions.TaskComplete && e.Actor.StartsWith("Researcher", StringComparison.Ordinal));
        return topic.EpochOwners;
    }

    [Fact]
    public async Task KilledNode_NeverRestarted_ItsAgentIsTakenOver_AndTheTaskFinishes()
    {
        using var mesh = await StartMeshAsync();
        var (task, taskId) = await StartTaskAsync();
        using (task)
        {
            mesh.Researcher.Signal("KILL");
            var agent = $"Researcher_{mesh.ResearcherId}_{taskId}";
            await mesh.Standby.WaitForLineAsync(l => l.Contains($"took over {agent}", StringComparison.Ordinal), Patience);
            await FinishesAsync(task, mesh);
            var owners = await CheckEffectsAsync(taskId);
            Assert.Equal($"s{mesh.Id}", owners[(agent, 2)]);
            Assert.False(owners.ContainsKey((agent, 3)));
        }
    }

    [Fact]
    public async Task KilledNode_RestartedUnderTheSameIdBeforeDetection_RejoinsItsAgent_AndTheTaskFinishes()
    {
        string[] slow = ["--acceptable-pause-ms", "30000"]; // nobody declares it down while it restarts
        using var mesh = await StartMeshAsync(slow);
        var (task, taskId) = await StartTaskAsync();
        using (task)
        {
            mesh.Researcher.Signal("KILL");
            await mesh.Researcher.WaitForExitAsync(Patience);
            using var restarted = StartResearcher(mesh.Id, slow);
            var agent = $"Researcher_{mesh.ResearcherId}_{taskId}";
            await restarted.WaitForLineAsync(l => l.Contains($"rejoined {agent}", StringComparison.Ordinal), Patience);
            await FinishesAsync(task, mesh);
            var owners = await CheckEffectsAsync(taskId);
            Assert.Equal(mesh.ResearcherId, owners[(agent, 2)]);
            Assert.DoesNotContain("took over", mesh.Standby.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task PausedNode_IsFencedWhenItContinues_ExitsNonZero_AndNoEffectRepeats()
    {
        using var mesh = await StartMeshAsync();
        var (task, taskId) = await StartTaskAsync();
        using (task)
        {
            mesh.Researcher.Signal("STOP");
            var agent = $"Researcher_{mesh.ResearcherId}_{taskId}";
            try
            {
                await mesh.Standby.WaitForLineAsync(l => l.Contains($"took over {agent}", StringComparison.Ordinal), Patience);
            }
            finally
            {
                mesh.Researcher.Signal("CONT");
            }
            Assert.Equal(1, await mesh.Researcher.WaitForExitAsync(Patience));
            Assert.Contains("was declared down by node", mesh.Researcher.Output, StringComparison.Ordinal);
            await FinishesAsync(task, mesh);
            var owners = await CheckEffectsAsync(taskId);
            Assert.Equal($"s{mesh.Id}", owners[(agent, 2)]);
        }
    }
}
