namespace Murmur.Cli.Trace;

/// <summary>A strict-round barrier: drawn between column <see cref="AfterIndex"/> and the next one.</summary>
/// <param name="AfterIndex">The last column before the barrier.</param>
/// <param name="Round">The round that starts after the barrier.</param>
internal sealed record RoundBarrier(int AfterIndex, int Round);
