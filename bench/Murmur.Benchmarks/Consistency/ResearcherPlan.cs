namespace Murmur.Benchmarks.Consistency;

/// <summary>A researcher's seeded work: K steps; TASK_COMPLETE after the last.</summary>
internal sealed record ResearcherPlan(string Name, IReadOnlyList<ResearchStep> Steps);
