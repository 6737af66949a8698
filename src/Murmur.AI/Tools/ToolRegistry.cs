using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Murmur.AI.Tools.Mesh;

namespace Murmur.AI.Tools;

/// <summary>The tools hosted by one node, by name: each an <see cref="AIFunction"/> that runs in-process.</summary>
/// <remarks>Thread-safe. Get a node's registry with <c>node.Tools()</c> (<see cref="MurmurNodeToolExtensions"/>).</remarks>
public sealed class ToolRegistry
{
    /// <summary>The key of <see cref="AITool.AdditionalProperties"/> that marks a tool as side-effecting (value <see langword="true"/>).</summary>
    public const string SideEffectingKey = "murmur.side_effecting";

    private readonly ConcurrentDictionary<string, AIFunction> _tools = new(StringComparer.Ordinal);

    /// <summary>The registered tools, ordered by name.</summary>
    public IReadOnlyList<AIFunction> All => [.. _tools.Values.OrderBy(t => t.Name, StringComparer.Ordinal)];

    /// <summary>How many tools are registered.</summary>
    public int Count => _tools.Count;

    /// <summary>Registers a tool under its <see cref="AITool.Name"/>.</summary>
    /// <exception cref="InvalidOperationException">A tool of that name is already registered.</exception>
    public ToolRegistry Add(AIFunction tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        if (!_tools.TryAdd(tool.Name, tool))
        {
            throw new InvalidOperationException($"A tool named '{tool.Name}' is already registered on this node.");
        }
        return this;
    }

    /// <summary>Registers a method as a tool (<see cref="AIFunctionFactory.Create(Delegate, string?, string?, System.Text.Json.JsonSerializerOptions?)"/>).</summary>
    public ToolRegistry Add(Delegate method, string name, string? description = null)
        => Add(AIFunctionFactory.Create(method, name, description));

    /// <summary>
    /// Registers a method as a side-effecting tool: it changes something outside the log, so it runs only through the
    /// speculation journal or in strict topics, and a <see cref="ToolMesh"/> host claims each call in the log before running it.
    /// </summary>
    public ToolRegistry AddSideEffecting(Delegate method, string name, string? description = null)
        => Add(AIFunctionFactory.Create(method, new AIFunctionFactoryOptions
        {
            Name = name,
            Description = description,
            AdditionalProperties = new Dictionary<string, object?> { [SideEffectingKey] = true },
        }));

    /// <summary>Removes a tool; false when none had that name.</summary>
    public bool Remove(string name) => _tools.TryRemove(name, out _);

    /// <summary>Finds a tool by name.</summary>
    public bool TryGet(string name, out AIFunction tool) => _tools.TryGetValue(name, out tool!);

    /// <summary>The tool mesh this registry's node has joined, if any: tools it lacks are looked up there.</summary>
    public ToolMesh? Mesh { get; private set; }

    internal void AttachMesh(ToolMesh mesh)
    {
        if (Mesh is not null)
        {
            throw new InvalidOperationException($"Node '{mesh.NodeId}' has already joined a tool mesh.");
        }
        Mesh = mesh;
    }

    internal void DetachMesh(ToolMesh mesh)
    {
        if (ReferenceEquals(Mesh, mesh))
        {
            Mesh = null;
        }
    }

    /// <summary>True when <paramref name="tool"/> is marked side-effecting (see <see cref="SideEffectingKey"/>).</summary>
    public static bool IsSideEffecting(AITool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        return tool.AdditionalProperties.TryGetValue(SideEffectingKey, out var value) && value is true;
    }
}
