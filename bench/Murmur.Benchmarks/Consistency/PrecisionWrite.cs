namespace Murmur.Benchmarks.Consistency;

/// <summary>Orchestrated precision: an operator's write, computed from the snapshot it was handed.</summary>
internal sealed record PrecisionWrite(int Operator, string Key, long Value);
