using Murmur.Agents;

namespace Murmur.Benchmarks.Consistency;

/// <summary>Tells the coordinator who its workers are.</summary>
internal sealed record OrchestraRoster(IReadOnlyList<AgentRef> Researchers, AgentRef Coder, AgentRef Reviewer);
