using Murmur.Events;

namespace Murmur.Causality;

/// <summary>An event a <see cref="CausalBuffer"/> gave up on, with what it was still waiting for.</summary>
/// <param name="Event">The event.</param>
/// <param name="Reason">The missing predecessor, e.g. <c>waits for event 2 of 'B' (needs 3, delivered up to 1)</c>.</param>
public sealed record UndeliverableEvent(AgentEvent Event, string Reason);
