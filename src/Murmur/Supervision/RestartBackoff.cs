namespace Murmur.Supervision;

/// <summary>An exponential delay before restarts, with jitter, timed by the runtime's <see cref="TimeProvider"/>.</summary>
public sealed record RestartBackoff
{
    /// <summary>The delay before the first restart in a period.</summary>
    /// <value>Defaults to 100 ms.</value>
    public TimeSpan Initial { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay.</summary>
    /// <value>Defaults to 30 s.</value>
    public TimeSpan Max { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Fraction of the delay added or removed at random (0 to 1).</summary>
    /// <value>Defaults to 0.2.</value>
    public double Jitter { get; init; } = 0.2;

    /// <summary>The delay before the restart that follows <paramref name="recentRestarts"/> restarts within the period.</summary>
    public TimeSpan DelayFor(int recentRestarts, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var exponent = Math.Min(Math.Max(recentRestarts - 1, 0), 30);
        var ticks = Math.Min(Initial.Ticks * Math.Pow(2, exponent), Max.Ticks);
        var jitter = 1 + (Jitter * ((random.NextDouble() * 2) - 1));
        return TimeSpan.FromTicks((long)Math.Clamp(ticks * jitter, 0, Max.Ticks));
    }

    internal void Validate()
    {
        if (Initial < TimeSpan.Zero || Max < Initial)
        {
            throw new ArgumentOutOfRangeException(nameof(Initial), "RestartBackoff needs 0 <= Initial <= Max.");
        }
        if (Jitter is < 0 or > 1 || double.IsNaN(Jitter))
        {
            throw new ArgumentOutOfRangeException(nameof(Jitter), Jitter, "RestartBackoff.Jitter must be between 0 and 1.");
        }
    }
}
