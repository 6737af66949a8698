using Murmur.Events;

namespace Murmur.AI.Events;

/// <summary>
/// The actions of agents that reason and use tools: tool calls and their results, findings and proposals.
/// They are ordinary <see cref="AgentEvent.Action"/> strings to the core (which knows only membership, rounds,
/// speculation and fleet actions, <see cref="Actions"/>); Murmur.AI's agents, tools and payload readers give them meaning.
/// </summary>
public static class AiActions
{
    /// <summary>An agent calls a tool; payload <c>{"tool":…,"args":{…}}</c> (see <see cref="Events.ToolCall"/>).</summary>
    public const string ToolCall = "TOOL_CALL";

    /// <summary>A tool's answer; payload described by <see cref="Events.ToolResult"/>.</summary>
    public const string ToolResult = "TOOL_RESULT";

    /// <summary>A (possibly provisional) result an agent found; payload described by <see cref="Events.Finding"/>.</summary>
    public const string Finding = "FINDING";

    /// <summary>A proposed change (e.g. a patch), usually speculative and carrying <c>depends_on</c>.</summary>
    public const string Proposal = "PROPOSAL";
}
