namespace Murmur.Logs;

/// <summary>
/// How a networked log retries a request that failed transiently (no answer in time, a leader being elected, a broker
/// restarting): exponential backoff with jitter between attempts, each attempt bounded by the transport's request
/// timeout and all of them by the log's deadline for that kind of call, optionally behind a circuit breaker. Only
/// failures the transport classifies as transient are retried (<see cref="EventLogException.IsTransient"/>): an
/// authorization or configuration error fails at once.
/// </summary>
/// <remarks>
/// The NATS and Kafka logs build their Polly resilience pipelines from these options; the deadlines themselves are
/// the transport's (<c>AppendDeadline</c>, <c>ReadDeadline</c>), because what is reasonable differs per transport.
/// </remarks>
public sealed record LogResilienceOptions
{
    /// <summary>The defaults: 50 ms doubling to at most 1 s, with jitter, no circuit breaker, the system clock.</summary>
    public static LogResilienceOptions Default { get; } = new();

    /// <summary>The pause before the first retry; each further pause doubles, up to <see cref="MaxDelay"/>.</summary>
    /// <value>Defaults to 50 milliseconds.</value>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest pause between two attempts.</summary>
    /// <value>Defaults to 1 second.</value>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether pauses are randomized (decorrelated jitter), so that many clients that failed together do not retry together.</summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool UseJitter { get; init; } = true;

    /// <summary>
    /// A circuit breaker in front of the transport: when too many attempts fail within a window, further attempts fail
    /// at once for a while (and are retried after the pause like any transient failure), sparing a struggling server the
    /// requests of every waiting caller. <see langword="null"/> for none.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: a log's callers retry with the same event id anyway, and failing fast
    /// would only turn a short leader election into errors.</value>
    public LogCircuitBreakerOptions? CircuitBreaker { get; init; }

    /// <summary>The clock that pauses, deadlines and the circuit breaker use (a <c>FakeTimeProvider</c> in tests).</summary>
    /// <value>Defaults to <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws when a value is out of range; the message names the property.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A delay is negative, <see cref="MaxDelay"/> is below <see cref="BaseDelay"/>, or a circuit breaker value is out of range.</exception>
    /// <exception cref="ArgumentNullException"><see cref="TimeProvider"/> is null.</exception>
    public void Validate()
    {
        if (BaseDelay < TimeSpan.Zero || BaseDelay > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(BaseDelay), BaseDelay, "Resilience BaseDelay must be between 0 and 1 day.");
        }
        if (MaxDelay < BaseDelay || MaxDelay > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDelay), MaxDelay, $"Resilience MaxDelay must be between BaseDelay ({BaseDelay}) and 1 day.");
        }
        ArgumentNullException.ThrowIfNull(TimeProvider);
        CircuitBreaker?.Validate();
    }
}
