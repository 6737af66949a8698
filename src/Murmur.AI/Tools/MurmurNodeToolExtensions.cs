using System.Runtime.CompilerServices;
using Murmur.AI.Tools.Mesh;

namespace Murmur.AI.Tools;

/// <summary>Attaches a node-local <see cref="ToolRegistry"/> to a <see cref="MurmurNode"/>.</summary>
public static class MurmurNodeToolExtensions
{
    // The core has no tool registry of its own (it stays free of Microsoft.Extensions.AI), so the registry is
    // attached to the node instance here and lives exactly as long as the node.
    private static readonly ConditionalWeakTable<MurmurNode, ToolRegistry> Registries = new();

    /// <summary>The tools hosted by <paramref name="node"/>, created empty on first use.</summary>
    public static ToolRegistry Tools(this MurmurNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return Registries.GetValue(node, _ => new ToolRegistry());
    }

    /// <summary>
    /// Makes <paramref name="node"/> part of a tool mesh: it announces its tools (<see cref="Tools"/>) in the directory
    /// topic, serves calls to them from other nodes through its inbox topic, and lets its agents call the tools of
    /// other nodes through theirs. Dispose the returned mesh before the node.
    /// </summary>
    /// <exception cref="InvalidOperationException">The node has already joined a mesh.</exception>
    public static async Task<ToolMesh> JoinToolMeshAsync(this MurmurNode node, ToolMeshOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        var registry = node.Tools();
        if (registry.Mesh is not null)
        {
            throw new InvalidOperationException($"Node '{node.NodeId}' has already joined a tool mesh.");
        }
        var mesh = await ToolMesh.JoinAsync(node, registry, options, cancellationToken).ConfigureAwait(false);
        registry.AttachMesh(mesh);
        return mesh;
    }
}
