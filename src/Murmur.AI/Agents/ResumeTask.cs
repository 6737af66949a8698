namespace Murmur.AI.Agents;

/// <summary>Sent to itself by a restarted <see cref="LlmAgent"/> whose earlier incarnation left a task unfinished in <paramref name="Topic"/>.</summary>
internal sealed record ResumeTask(string Topic);
