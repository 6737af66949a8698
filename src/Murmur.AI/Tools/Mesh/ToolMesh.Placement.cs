using Murmur.AI.Agents;
using Murmur.Agents;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.AI.Tools.Mesh;

// Placement: choose the node that serves the tools an agent needs, and spawn it there.
public sealed partial class ToolMesh
{
    /// <summary>
    /// Chooses a node for an agent of <paramref name="kind"/> that needs <paramref name="tools"/>: among the nodes that
    /// offer the kind — those this node does not suspect (<see cref="Suspected"/>) when there are any — the one serving
    /// the most of the tools itself, this node first on a tie, then by node id. When none serves them all, the
    /// placement says which tools will be called remotely and which no node serves; passed-over suspects are named.
    /// </summary>
    /// <exception cref="PlacementException">No node offers agent kind <paramref name="kind"/>.</exception>
    public Placement Place(string kind, IReadOnlyCollection<string> tools)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(tools);
        var nodes = Nodes;
        var candidates = nodes.Where(n => n.AgentKinds.Contains(kind, StringComparer.Ordinal)).ToList();
        if (candidates.Count == 0)
        {
            var offered = nodes.SelectMany(n => n.AgentKinds.Select(k => $"{k}@{n.NodeId}")).ToList();
            throw new PlacementException($"No node of the tool mesh offers agent kind '{kind}'; offered: [{string.Join(", ", offered)}].");
        }
        var suspected = candidates.Where(n => IsSuspected(n.NodeId)).Select(n => n.NodeId).ToList();
        if (suspected.Count < candidates.Count)
        {
            candidates = [.. candidates.Where(n => !suspected.Contains(n.NodeId, StringComparer.Ordinal))];
        }
        else
        {
            suspected = []; // all suspected: choose among them as usual
        }
        var needed = tools.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var best = candidates
            .OrderByDescending(n => needed.Count(n.Hosts))
            .ThenByDescending(n => string.Equals(n.NodeId, NodeId, StringComparison.Ordinal))
            .ThenBy(n => n.NodeId, StringComparer.Ordinal)
            .First();
        var hosted = needed.Where(best.Hosts).ToList();
        var remote = needed.Where(t => !best.Hosts(t) && nodes.Any(n => n.Hosts(t))).ToList();
        var unavailable = needed.Where(t => !nodes.Any(n => n.Hosts(t))).ToList();
        var isLocal = string.Equals(best.NodeId, NodeId, StringComparison.Ordinal);
        string report;
        if (remote.Count == 0 && unavailable.Count == 0)
        {
            report = needed.Count == 0
                ? $"'{kind}' placed on node '{best.NodeId}': it needs no tools"
                : $"'{kind}' placed on node '{best.NodeId}', which serves all of [{string.Join(", ", needed)}]: every tool call stays in-process";
        }
        else
        {
            var parts = new List<string> { $"no node serves all of [{string.Join(", ", needed)}] and offers '{kind}'; placed on node '{best.NodeId}', which serves [{string.Join(", ", hosted)}]" };
            if (remote.Count > 0)
            {
                // Where the placed agent's calls go: the first node by id that serves the tool, one not suspected if any.
            string HostOf(string tool) => (nodes.FirstOrDefault(n => n.Hosts(tool) && !_suspected.ContainsKey(n.NodeId)) ?? nodes.First(n => n.Hosts(tool))).NodeId;
            parts.Add($"[{string.Join(", ", remote.Select(t => $"{t} (on {HostOf(t)})"))}] will be called remotely through the log");
            }
            if (unavailable.Count > 0)
            {
                parts.Add($"no node serves [{string.Join(", ", unavailable)}]: calls to them will fail");
            }
            report = string.Join("; ", parts);
        }
        if (suspected.Count > 0)
        {
            report += $"; passed over [{string.Join(", ", suspected)}]: suspected (a request to it went unanswered until its timeout)";
        }
        return new Placement(best.NodeId, isLocal, hosted, remote, unavailable, report);
    }

    /// <summary>
    /// Places an agent of <paramref name="kind"/> (see <see cref="Place"/>) and spawns it there as a member of
    /// <paramref name="topic"/>: in-process when this node is chosen, else through the chosen node's inbox
    /// (<c>SPAWN</c> → <c>SPAWNED</c>). An incomplete placement is logged as a warning and returned, not refused.
    /// </summary>
    /// <exception cref="PlacementException">No node offers the kind, or the chosen node did not spawn it (its reason is the message).</exception>
    public async Task<PlacedAgent> SpawnAsync(AgentId id, string kind, string topic, IReadOnlyCollection<string> tools, Consistency consistency = Consistency.Eventual, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        TopicName.Validate(topic);
        var placement = Place(kind, tools);
        if (!placement.IsComplete)
        {
            AgentLogMessages.PlacementIncomplete(Node.Runtime.Options.LoggerFactory.CreateLogger(typeof(ToolMesh).FullName!), id.ToString(), placement.Report);
        }
        if (placement.IsLocal)
        {
            if (await SpawnLocalAsync(id.ToString(), kind, topic, consistency, cancellationToken).ConfigureAwait(false) is { } error)
            {
                throw new PlacementException($"node '{NodeId}' did not spawn '{id}': {error}");
            }
            Node.Runtime.TryGet(id, out var local);
            return new PlacedAgent(id, placement, local);
        }
        var callId = "spawn_" + Guid.NewGuid().ToString("N");
        var reply = await RequestAsync(placement.Node, ToolMeshActions.Spawn, MeshWire.Spawn(callId, id.ToString(), kind, topic, consistency), callId,
            Options.SpawnTimeout, $"spawning '{id}' on node '{placement.Node}'", cancellationToken).ConfigureAwait(false);
        if (!reply.Ok)
        {
            throw new PlacementException($"node '{placement.Node}' did not spawn '{id}': {reply.Error}");
        }
        return new PlacedAgent(id, placement, null);
    }
}
