using Murmur.Topics;

namespace Murmur.Benchmarks.Consistency;

/// <summary>What one exploratory run of one system measured.</summary>
/// <param name="WallSeconds">Start to finish, real seconds.</param>
/// <param name="Events">Log events appended (topics), or messages sent by agents excluding relays (orchestrated).</param>
/// <param name="Messages">Events handed to agent handlers (topics), or every message delivered, relays included (orchestrated).</param>
/// <param name="Drafts">Drafts the coder made, wasted ones included.</param>
/// <param name="Speculations">Speculation counts of the topic (eventual+speculation only).</param>
internal sealed record ExploratoryResult(double WallSeconds, long Events, long Messages, long Drafts, SpeculationStats Speculations);
