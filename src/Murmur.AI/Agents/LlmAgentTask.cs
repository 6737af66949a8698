namespace Murmur.AI.Agents;

/// <summary>A mailbox message that gives an <see cref="LlmAgent"/> a task.</summary>
/// <param name="Goal">What to do, as the user message.</param>
/// <param name="Topic">The topic to work in; null uses <see cref="LlmAgentOptions.Topic"/> or the first topic.</param>
public sealed record LlmAgentTask(string Goal, string? Topic = null);
