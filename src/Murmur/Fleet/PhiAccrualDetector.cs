namespace Murmur.Fleet;

/// <summary>
/// The phi-accrual failure detector of Hayashibara et al. (2004) for one observed node: it learns the distribution of
/// the intervals between heartbeats and reports φ = −log₁₀ P(a heartbeat this late | the node is alive), so a caller
/// picks its own trade-off between quick detection and false suspicion (<see cref="PhiAccrualOptions.Threshold"/>).
/// </summary>
/// <remarks>
/// As in Akka's cluster, the normal distribution's tail is approximated by a logistic function, the acceptable pause is
/// added to the mean, and the standard deviation is bounded below. Thread-safe. Time comes from the given
/// <see cref="TimeProvider"/>, so tests drive it with a fake clock.
/// </remarks>
public sealed class PhiAccrualDetector
{
    private readonly PhiAccrualOptions _options;
    private readonly TimeProvider _time;
    private readonly Queue<double> _intervals = new();
    private double _sum;
    private double _squares;
    private long? _last;

    /// <summary>Creates a detector that has seen no heartbeat yet.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public PhiAccrualDetector(PhiAccrualOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        _options = options;
        _time = timeProvider;
        // Seed with two intervals around the estimate (mean = estimate, deviation = estimate / 4), as Akka does, so the
        // first silence is judged against the configured heartbeat interval rather than against nothing.
        var mean = options.FirstHeartbeatEstimate.TotalMilliseconds;
        var deviation = mean / 4;
        Add(mean - deviation);
        Add(mean + deviation);
    }

    /// <summary>Whether any heartbeat arrived.</summary>
    public bool HasHeartbeat
    {
        get
        {
            lock (_intervals)
            {
                return _last is not null;
            }
        }
    }

    /// <summary>Records a heartbeat arriving now.</summary>
    public void Heartbeat() => Heartbeat(sample: true);

    /// <summary>
    /// Records a heartbeat arriving now; with <paramref name="sample"/> false the interval since the last one is not
    /// learned (it was stretched by a delay that was not the observed node's, e.g. a stalled store).
    /// </summary>
    internal void Heartbeat(bool sample)
    {
        var now = _time.GetTimestamp();
        lock (_intervals)
        {
            if (sample && _last is { } last)
            {
                Add(_time.GetElapsedTime(last, now).TotalMilliseconds);
            }
            _last = now;
        }
    }

    /// <summary>
    /// Does not count <paramref name="span"/> of the silence so far against the node: moves its last heartbeat later
    /// (never past now). For a stretch during which heartbeats could not have arrived (the store did not deliver, this
    /// node stood still); silence before and after it still adds up.
    /// </summary>
    internal void Discount(TimeSpan span)
    {
        if (span <= TimeSpan.Zero)
        {
            return;
        }
        var now = _time.GetTimestamp();
        lock (_intervals)
        {
            if (_last is { } last)
            {
                var shifted = last + (long)(span.TotalSeconds * _time.TimestampFrequency);
                _last = shifted < last || shifted > now ? now : shifted;
            }
        }
    }

    /// <summary>φ of the silence since the last heartbeat; 0 before the first one (a node is not suspected before it spoke).</summary>
    public double Phi()
    {
        lock (_intervals)
        {
            if (_last is not { } last)
            {
                return 0;
            }
            var elapsed = _time.GetElapsedTime(last).TotalMilliseconds;
            var mean = _sum / _intervals.Count + _options.AcceptableHeartbeatPause.TotalMilliseconds;
            var variance = Math.Max(0, _squares / _intervals.Count - (_sum / _intervals.Count) * (_sum / _intervals.Count));
            var deviation = Math.Max(Math.Sqrt(variance), _options.MinStdDeviation.TotalMilliseconds);
            return Phi(elapsed, mean, deviation);
        }
    }

    /// <summary>Whether φ is below the threshold.</summary>
    public bool IsAvailable => Phi() < _options.Threshold;

    /// <summary>φ for a silence of <paramref name="elapsed"/> ms given a normal distribution of intervals (logistic approximation of its tail).</summary>
    internal static double Phi(double elapsed, double mean, double deviation)
    {
        var y = (elapsed - mean) / deviation;
        var e = Math.Exp(-y * (1.5976 + 0.070566 * y * y));
        // Two forms of the same value, each numerically stable on its side of the mean.
        var phi = elapsed > mean ? -Math.Log10(e / (1.0 + e)) : -Math.Log10(1.0 - 1.0 / (1.0 + e));
        // Right after a heartbeat the tail is 1 and -log10(1) is -0, which prints as "-0.0": report +0.
        return !double.IsFinite(phi) ? double.MaxValue : phi > 0 ? phi : 0;
    }

    private void Add(double interval)
    {
        if (_intervals.Count == _options.MaxSampleSize)
        {
            var oldest = _intervals.Dequeue();
            _sum -= oldest;
            _squares -= oldest * oldest;
        }
        _intervals.Enqueue(interval);
        _sum += interval;
        _squares += interval * interval;
    }
}
