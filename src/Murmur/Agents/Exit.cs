namespace Murmur.Agents;

/// <summary>Delivered to an agent that traps exits when a linked agent exited.</summary>
/// <param name="Agent">The linked agent that exited.</param>
/// <param name="Reason">Why it exited.</param>
public sealed record Exit(AgentRef Agent, ExitReason Reason);
