using Murmur.AI.Tools;
using Murmur.Cli.Demo;
using Murmur.Mcp;

namespace Murmur.Cli.Mesh;

/// <summary>
/// A long-running node: follows the control topic, and for each announced task joins its topic with the agents it
/// hosts (researcher, coder, reviewer — the demo's agents, scripted), using the tools co-located on this node.
/// With a <paramref name="verifier"/>, only announcements signed by a trusted key are followed.
/// </summary>
internal sealed class MeshNode(MurmurNode node, string nodeId, IReadOnlyList<string> roles, string root, TextWriter output, IEventVerifier? verifier = null)
{
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
            if (roles.Count == 0)
            {
                output.WriteLine($"node {nodeId}: serving tools only; waiting (Ctrl-C stops)");
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

    private async Task FollowTasksAsync(CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // Only tasks announced from now on: earlier ones were served (or abandoned) by the nodes running then.
        var from = await node.Log.GetEndPositionAsync(TaskRequest.ControlTopic, cancellationToken) + 1;
        output.WriteLine($"node {nodeId}: hosting {string.Join(", ", roles)} with tools in {root}; waiting for tasks (Ctrl-C stops)");
        await foreach (var entry in node.Log.ReadAsync(TaskRequest.ControlTopic, from, follow: true, cancellationToken))
        {
            if (!AgentEventCodec.TryDecode(entry.Data.Span, null, null, out var e, out var error))
            {
                output.WriteLine($"control topic position {entry.Position}: refused: {error}");
                continue;
            }
            if (verifier is not null && !verifier.TryVerify(e!, out _, out var refusal))
            {
                output.WriteLine($"control topic position {entry.Position}: refused: {refusal}");
                continue;
            }
            if (TaskRequest.TryRead(e!) is not { } task || !seen.Add(task.Task))
            {
                continue;
            }
            output.WriteLine($"task {task.Task} ({task.Mode}): {task.Goal} — joining topic {task.Topic} as {string.Join(", ", roles)}");
            try
            {
                await JoinAsync(task, cancellationToken);
            }
            catch (Exception ex) when (ex is InvalidOperationException or EventLogException or AgentStartException)
            {
                output.WriteLine($"task {task.Task}: could not join: {ex.Message}");
            }
        }
    }

    private async Task JoinAsync(TaskRequest task, CancellationToken cancellationToken)
    {
        var topic = await node.OpenTopicAsync(task.Topic, task.Consistency, new TopicOptions { MinMembers = Math.Max(1, task.Members) }, cancellationToken);
        var demo = new DemoContext(root, task.Consistency, TimeSpan.FromMilliseconds(20), seed: 7, task.Researchers);
        foreach (var role in roles)
        {
            // Agent ids are unique in a runtime: one agent per role, node and task.
            var id = $"{char.ToUpperInvariant(role[0])}{role[1..]}_{nodeId}_{task.Task}";
            Func<Agent> factory = role switch
            {
                "researcher" => () => new DemoResearcher(demo, ["."]),
                "coder" => () => new DemoCoder(demo),
                _ => () => new DemoReviewer(demo),
            };
            await node.SpawnAsync(id, factory, topic, cancellationToken: cancellationToken);
        }
    }
}
