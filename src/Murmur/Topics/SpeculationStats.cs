namespace Murmur.Topics;

/// <summary>Counts of a topic's speculations on one node.</summary>
/// <param name="Started">Speculations started.</param>
/// <param name="Committed">Speculations committed.</param>
/// <param name="Aborted">Speculations aborted.</param>
public readonly record struct SpeculationStats(long Started, long Committed, long Aborted);
