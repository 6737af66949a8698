using System.Text.Json;
using Murmur.AI.Tools;
using Murmur.AI.Tools.Mesh;
using Murmur.Agents;
using Murmur.Cli.Demo;
using Murmur.Events;
using Murmur.Fleet;
using Murmur.Logs;
using Murmur.Mcp;
using Murmur.Security;
using Murmur.Topics;

namespace Murmur.Cli.Mesh;

/// <summary>
/// A long-running node: follows the control topic, and for each announced task joins its topic with the agents it
/// hosts (researcher, coder, reviewer — the demo's agents, scripted), using the tools co-located on this node.
/// With a <paramref name="verifier"/>, only announcements signed by a trusted key are followed. With a
/// <paramref name="fleet"/>, its agents are listed in the node's announcement (so another node of the role takes them over
/// if this one dies, and a restart under the same id re-attaches to them), and each task's agents stop once it is done.
/// </summary>
internal sealed class MeshNode(MurmurNode node, string nodeId, MeshSettings settings, string root, TextWriter output, IEventVerifier? verifier = null, MurmurFleet? fleet = null)
{
    /// <summary>The agent kinds a node offers to the fleet (its roles and standby roles): each makes the demo's agent of its role for a task.</summary>
    public static IReadOnlyDictionary<string, Func<OwnedAgent, Agent>> Kinds(MeshSettings settings, string root)
        => settings.TakeOver.ToDictionary(role => role, role => (Func<OwnedAgent, Agent>)(owned => Create(role, root, TaskOf(owned), settings.Think)), StringComparer.Ordinal);

    private static TaskRequest TaskOf(OwnedAgent owned)
        => owned.Spec is { } spec && JsonSerializer.Deserialize<TaskRequest>(spec) is { } task
            ? task
            : throw new InvalidOperationException($"'{owned.Agent}' carries no task settings; it cannot be resumed here.");

    private static Agent Create(string role, string root, TaskRequest task, TimeSpan think)
    {
        var demo = new DemoContext(root, task.Consistency, think, seed: 7, task.Researchers);
        return role switch
        {
            "researcher" => new DemoResearcher(demo, ["."]),
            "coder" => new DemoCoder(demo),
            _ => new DemoReviewer(demo),
        };
    }

    /// <summary>MCP servers to attach before anything else, so their tools are served with the built-in ones.</summary>
    public IReadOnlyList<McpServerSpec> McpServers { get; init; } = [];

    public async Task RunAsync(bool serveTools, CancellationToken cancellationToken)
    {
        foreach (var spec in McpServers)
        {
            // Owned by the node's runtime: stopped (and its tools removed) when the node stops.
            var source = await node.AttachMcpServerAsync(spec, cancellationToken: cancellationToken);
            output.WriteLine($"node {nodeId}: MCP server {spec.Name} ({source.ServerInfo}): {string.Join(", ", source.Tools.Select(t => t.IsReadOnly ? t.Name : t.Name + " (side-effecting)"))}");
        }
        ToolMesh? mesh = null;
        if (serveTools)
        {
            foreach (var tool in BuiltInTools.All(root).Where(t => !ToolRegistry.IsSideEffecting(t)))
            {
                node.Tools().Add(tool);
            }
            mesh = await node.JoinToolMeshAsync(cancellationToken: cancellationToken);
            output.WriteLine($"node {nodeId}: serving [{string.Join(", ", node.Tools().All.Select(t => t.Name))}] in {root} to the tool mesh");
        }
        try
        {
            if (settings.Roles.Count == 0)
            {
                output.WriteLine(settings.TakeOver.Count == 0
                    ? $"node {nodeId}: serving tools only; waiting (Ctrl-C stops)"
                    : $"node {nodeId}: standby, takes over {string.Join(", ", settings.TakeOver)} from nodes that die; waiting (Ctrl-C stops)");
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            await FollowTasksAsync(cancellationToken);
        }
        finally
        {
            if (mesh is not null)
            {
                await mesh.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Follows the control topic for as long as the node runs. A failed read (a server restarting, leaders being elected)
    /// is followed again from the next position after a pause that doubles up to <see cref="MaxFollowPause"/>: the node
    /// keeps its agents and its place in the fleet through a log outage. Only a configuration error (the stream is gone,
    /// the credentials are refused) ends it, since no retry fixes that.
    /// </summary>
    private async Task FollowTasksAsync(CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // Only tasks announced from now on: earlier ones were served (or abandoned) by the nodes running then.
        var next = await node.Log.GetEndPositionAsync(TaskRequest.ControlTopic, cancellationToken) + 1;
        output.WriteLine($"node {nodeId}: hosting {string.Join(", ", settings.Roles)} with tools in {root}; waiting for tasks (Ctrl-C stops)");
        var pause = MinFollowPause;
        while (true)
        {
            try
            {
                await foreach (var entry in node.Log.ReadAsync(TaskRequest.ControlTopic, next, follow: true, cancellationToken))
                {
                    next = entry.Position + 1;
                    pause = MinFollowPause;
                    await OnControlRecordAsync(entry, seen, cancellationToken);
                }
                output.WriteLine($"node {nodeId}: the control topic's follower ended; following again from position {next}");
            }
            catch (EventLogException ex) when (!ex.IsConfigurationError && !cancellationToken.IsCancellationRequested)
            {
                output.WriteLine($"node {nodeId}: reading the control topic failed ({ex.Message}); following again from position {next} in {pause.TotalSeconds:0.#} s");
            }
            await Task.Delay(pause, node.TimeProvider, cancellationToken);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxFollowPause.Ticks));
        }
    }

    private static readonly TimeSpan MinFollowPause = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan MaxFollowPause = TimeSpan.FromSeconds(30);

    private async Task OnControlRecordAsync(LogEntry entry, HashSet<string> seen, CancellationToken cancellationToken)
    {
        if (!AgentEventCodec.TryDecode(entry.Data.Span, null, null, out var e, out var error))
        {
            output.WriteLine($"control topic position {entry.Position}: refused: {error}");
            return;
        }
        if (verifier is not null && !verifier.TryVerify(e!, out _, out var refusal))
        {
            output.WriteLine($"control topic position {entry.Position}: refused: {refusal}");
            return;
        }
        if (TaskRequest.TryRead(e!) is not { } task || !seen.Add(task.Task))
        {
            return;
        }
        output.WriteLine($"task {task.Task} ({task.Mode}): {task.Goal} — joining topic {task.Topic} as {string.Join(", ", settings.Roles)}");
        try
        {
            await JoinAsync(task, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidOperationException or EventLogException or AgentStartException)
        {
            output.WriteLine($"task {task.Task}: could not join: {ex.Message}");
        }
    }

    private async Task JoinAsync(TaskRequest task, CancellationToken cancellationToken)
    {
        var topic = await node.OpenTopicAsync(task.Topic, task.Consistency, new TopicOptions { MinMembers = Math.Max(1, task.Members) }, cancellationToken);
        foreach (var role in settings.Roles)
        {
            // Agent ids are unique in a mesh: one agent per role, node and task. A takeover keeps the id (and its history).
            var id = $"{char.ToUpperInvariant(role[0])}{role[1..]}_{nodeId}_{task.Task}";
            if (fleet is not null)
            {
                await fleet.SpawnAsync(new OwnedAgent(id, role, task.Topic, task.Mode, JsonSerializer.Serialize(task)), cancellationToken);
            }
            else
            {
                await node.SpawnAsync(id, () => Create(role, root, task, settings.Think), topic, cancellationToken: cancellationToken);
            }
        }
        _ = StopWhenDoneAsync(topic, cancellationToken);
    }

    /// <summary>The agents this node runs for a task stop once its coder completed, so a restart does not resume finished work.</summary>
    private async Task StopWhenDoneAsync(Topic topic, CancellationToken cancellationToken)
    {
        try
        {
            await topic.WaitForEventAsync(e => e.Action == Actions.TaskComplete && e.Actor.StartsWith("Coder", StringComparison.Ordinal), cancellationToken);
            foreach (var owned in fleet?.OwnedAgents.Where(a => a.Topic == topic.Name) ?? [])
            {
                if (node.Runtime.TryGet(owned.Agent, out var agent))
                {
                    await node.Runtime.StopAsync(agent, cancellationToken);
                }
            }
            output.WriteLine($"node {nodeId}: {topic.Name} is done");
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Prints what the fleet does, and watches for the end of the tasks this node takes over or rejoins.</summary>
    public void Watch(MurmurFleet watched, CancellationToken cancellationToken)
    {
        foreach (var agent in watched.OwnedAgents)
        {
            // Re-attached when the fleet started: a previous run under this id owned them and nobody took them over.
            output.WriteLine($"node {nodeId}: rejoined {agent.Agent} in {agent.Topic}");
            if (node.Topics.FirstOrDefault(t => t.Name == agent.Topic) is { } topic)
            {
                _ = StopWhenDoneAsync(topic, cancellationToken);
            }
        }
        watched.NodeDown += down => output.WriteLine($"node {nodeId}: node {down.Node} is down (declared by {down.By}, phi {down.Phi:0.0})");
        watched.AgentTakenOver += (agent, epoch) =>
        {
            output.WriteLine(agent.Agent.Contains($"_{nodeId}_", StringComparison.Ordinal)
                ? $"node {nodeId}: rejoined {agent.Agent} in {agent.Topic} at epoch {epoch}"
                : $"node {nodeId}: took over {agent.Agent} in {agent.Topic} at epoch {epoch}");
            if (node.Topics.FirstOrDefault(t => t.Name == agent.Topic) is { } topic)
            {
                _ = StopWhenDoneAsync(topic, cancellationToken);
            }
        };
    }
}
