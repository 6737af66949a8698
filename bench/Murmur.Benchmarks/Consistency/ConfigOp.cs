namespace Murmur.Benchmarks.Consistency;

/// <summary>One operator step: after a modelled latency, write <c>Key := seen[Key] * Multiply + Add</c> (an absolute value computed from what the operator saw).</summary>
internal sealed record ConfigOp(double LatencyMs, string Key, long Multiply, long Add);
