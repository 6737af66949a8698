namespace Murmur.Benchmarks.Consistency;

/// <summary>Orchestrated precision: the coordinator asks an operator for its step, handing it the current config.</summary>
internal sealed record PrecisionTurn(int Step, ConfigState Snapshot);
