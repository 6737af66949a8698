using System.Runtime.CompilerServices;

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
}
