namespace Murmur.Topics;

/// <summary>A snapshot of a topic's causal buffer on one node.</summary>
/// <param name="Held">Events waiting for their causes.</param>
/// <param name="Delivered">Events delivered.</param>
/// <param name="Duplicates">Duplicates dropped.</param>
/// <param name="Rejected">Events refused (also listed as dead letters).</param>
public readonly record struct CausalBufferStats(int Held, long Delivered, long Duplicates, long Rejected);
