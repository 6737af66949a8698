using System.Diagnostics;

namespace Murmur.Benchmarks.Runtime;

/// <summary>One slot per request (no locking: each request writes only its own slot); percentiles by sorting.</summary>
internal sealed class LatencyRecorder(int capacity)
{
    private readonly long[] _ticks = new long[capacity];
    private int _failures;

    public int Failures => Volatile.Read(ref _failures);

    public void Record(int index, long ticks) => _ticks[index] = ticks;

    public void Fail(int index)
    {
        _ticks[index] = long.MaxValue;
        Interlocked.Increment(ref _failures);
    }

    /// <summary>The nearest-rank percentile in microseconds; failed requests count as infinitely slow.</summary>
    public double PercentileMicroseconds(double percentile)
    {
        var sorted = (long[])_ticks.Clone();
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1;
        var ticks = sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
        return ticks == long.MaxValue ? double.PositiveInfinity : ticks * 1_000_000.0 / Stopwatch.Frequency;
    }
}
