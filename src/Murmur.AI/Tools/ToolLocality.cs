using Murmur.AI.Tools.Mesh;

namespace Murmur.AI.Tools;

/// <summary>Where a tool ran relative to the agent that called it.</summary>
public enum ToolLocality
{
    /// <summary>In the agent's own process (co-located): no network hop.</summary>
    Local,

    /// <summary>On another node of the <see cref="ToolMesh"/>, through the log: a <c>TOOL_CALL</c> into its inbox, a <c>TOOL_RESULT</c> back.</summary>
    Remote,
}
