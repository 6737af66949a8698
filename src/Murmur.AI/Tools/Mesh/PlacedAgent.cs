using Murmur.Agents;

namespace Murmur.AI.Tools.Mesh;

/// <summary>An agent spawned by <see cref="ToolMesh.SpawnAsync"/>.</summary>
/// <param name="Id">The agent's id (its actor in the topic).</param>
/// <param name="Placement">Where it runs and why.</param>
/// <param name="LocalRef">Its handle when it runs on this node; null when it runs on another.</param>
public sealed record PlacedAgent(AgentId Id, Placement Placement, AgentRef? LocalRef);
