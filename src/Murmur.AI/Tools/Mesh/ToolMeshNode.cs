namespace Murmur.AI.Tools.Mesh;

/// <summary>One node of a <see cref="ToolMesh"/>: what its latest <c>TOOLS_HOSTED</c> announcement says.</summary>
/// <param name="NodeId">The node.</param>
/// <param name="Tools">The tools it serves, ordered by name.</param>
/// <param name="AgentKinds">The agent kinds it can spawn on request, ordered by name.</param>
public sealed record ToolMeshNode(string NodeId, IReadOnlyList<HostedTool> Tools, IReadOnlyList<string> AgentKinds)
{
    /// <summary>True when the node serves <paramref name="tool"/>.</summary>
    public bool Hosts(string tool) => Tools.Any(t => string.Equals(t.Name, tool, StringComparison.Ordinal));
}
