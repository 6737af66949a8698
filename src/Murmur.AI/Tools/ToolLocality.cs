namespace Murmur.AI.Tools;

/// <summary>Where a tool ran relative to the agent that called it.</summary>
public enum ToolLocality
{
    /// <summary>In the agent's own process (co-located): no network hop.</summary>
    Local,

    /// <summary>On another node, through the log (not implemented yet).</summary>
    Remote,
}
