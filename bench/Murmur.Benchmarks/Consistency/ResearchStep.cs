namespace Murmur.Benchmarks.Consistency;

/// <summary>One search step of a researcher: a tool call and a model call, then what it reports.</summary>
/// <param name="ToolMs">Modelled tool latency (real ms).</param>
/// <param name="ModelMs">Modelled model latency (real ms).</param>
/// <param name="Retracts">Earlier findings of this researcher it withdraws in this step.</param>
/// <param name="Findings">New findings (including corrections of retracted ones), in order.</param>
internal sealed record ResearchStep(double ToolMs, double ModelMs, IReadOnlyList<string> Retracts, IReadOnlyList<string> Findings);
