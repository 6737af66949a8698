namespace Murmur.Benchmarks.Consistency;

/// <summary>Modelled latencies: seeded log-normal draws, slept for real, scaled down (1 ms here = 100 ms modelled).</summary>
internal static class Modelled
{
    /// <summary>How many modelled milliseconds one real millisecond stands for.</summary>
    public const double ModelledMsPerMs = 100;

    /// <summary>The scale as a report key.</summary>
    public const string Scale = "1 ms = 100 ms modelled";

    /// <summary>A log-normal draw with the given median; clamped to [median/8, median*8] so one draw cannot dominate a run.</summary>
    public static double LogNormal(Random random, double medianMs, double sigma)
    {
        // Box-Muller: one standard normal from two uniforms.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        var z = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        return Math.Clamp(medianMs * Math.Exp(sigma * z), medianMs / 8, medianMs * 8);
    }

    /// <summary>Sleeps a modelled latency (whole milliseconds, at least 1: the timer's resolution).</summary>
    public static Task DelayAsync(double ms, CancellationToken cancellationToken)
        => Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, Math.Round(ms))), cancellationToken);
}
