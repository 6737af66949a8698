namespace Murmur.Agents;

/// <summary>Delivered to a monitoring agent when the monitored agent terminated.</summary>
/// <param name="Agent">The agent that ended.</param>
/// <param name="Reason">Why it ended; <see cref="ExitReason.NoProcess"/> when it was already gone.</param>
public sealed record Down(AgentRef Agent, ExitReason Reason);
