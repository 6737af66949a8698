namespace Murmur.Logs;

/// <summary>When a log's circuit breaker opens and for how long (see <see cref="LogResilienceOptions.CircuitBreaker"/>).</summary>
public sealed record LogCircuitBreakerOptions
{
    /// <summary>The share of failed attempts within <see cref="SamplingDuration"/> that opens the circuit.</summary>
    /// <value>Defaults to 0.5.</value>
    public double FailureRatio { get; init; } = 0.5;

    /// <summary>How many attempts the window must hold before the ratio counts.</summary>
    /// <value>Defaults to 20.</value>
    public int MinimumThroughput { get; init; } = 20;

    /// <summary>The window over which failures are counted.</summary>
    /// <value>Defaults to 10 seconds.</value>
    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the circuit stays open (attempts fail at once) before one attempt is let through to probe.</summary>
    /// <value>Defaults to 2 seconds.</value>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Throws when a value is out of range; the message names the property.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        if (FailureRatio is <= 0 or > 1 || double.IsNaN(FailureRatio))
        {
            throw new ArgumentOutOfRangeException(nameof(FailureRatio), FailureRatio, "Circuit breaker FailureRatio must be above 0 and at most 1.");
        }
        if (MinimumThroughput < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumThroughput), MinimumThroughput, "Circuit breaker MinimumThroughput must be 2 or more.");
        }
        if (SamplingDuration < TimeSpan.FromMilliseconds(500) || SamplingDuration > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(SamplingDuration), SamplingDuration, "Circuit breaker SamplingDuration must be between 500 ms and 1 day.");
        }
        if (BreakDuration < TimeSpan.FromMilliseconds(500) || BreakDuration > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(BreakDuration), BreakDuration, "Circuit breaker BreakDuration must be between 500 ms and 1 day.");
        }
    }
}
