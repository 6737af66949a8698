using Murmur.Events;

namespace Murmur.AI.Tools.Mesh;

/// <summary>
/// The actions a <see cref="ToolMesh"/> adds to the core ones (<see cref="Actions"/>), and its topic names.
/// </summary>
/// <remarks>
/// <para>The directory topic <see cref="DirectoryTopic"/> holds one <see cref="ToolsHosted"/> event per node and change:
/// <c>{"node":…,"status":"up"|"left","tools":[{"name","description","schema","side_effecting"}],"agent_kinds":[…]}</c>.</para>
/// <para>Each node's inbox topic (<see cref="ToolMesh.InboxTopicOf"/>) carries requests addressed to it and its answers:
/// <c>TOOL_CALL {"call_id","tool","args","to","caller","topic","deadline_ms"}</c> →
/// <c>TOOL_STARTED {"call_id","tool"}</c> (the host's claim, appended before a side-effecting tool runs) →
/// <c>TOOL_RESULT {"call_id","tool","ok","result"|"error","elapsed_us","host"}</c>, and
/// <c>SPAWN {"call_id","id","kind","topic","consistency"}</c> → <c>SPAWNED {"call_id","ok","agent"|"error","host"}</c>.</para>
/// </remarks>
public static class ToolMeshActions
{
    /// <summary>The topic every node of a mesh announces its tools and agent kinds in.</summary>
    public const string DirectoryTopic = "murmur.tools";

    /// <summary>A node's announcement of the tools it serves and the agent kinds it can spawn.</summary>
    public const string ToolsHosted = "TOOLS_HOSTED";

    /// <summary>A host's claim on a call, appended before a side-effecting tool runs: a call with a claim and no result is never run again.</summary>
    public const string ToolStarted = "TOOL_STARTED";

    /// <summary>A request to spawn an agent of a registered kind on the inbox's node.</summary>
    public const string Spawn = "SPAWN";

    /// <summary>The answer to <see cref="Spawn"/>.</summary>
    public const string Spawned = "SPAWNED";
}
