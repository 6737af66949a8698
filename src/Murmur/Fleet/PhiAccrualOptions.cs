namespace Murmur.Fleet;

/// <summary>
/// Settings of the phi-accrual failure detector (Hayashibara et al., "The φ Accrual Failure Detector", 2004), with the
/// defaults of Akka's cluster: a node is suspected once φ of the silence since its last heartbeat reaches
/// <see cref="Threshold"/>.
/// </summary>
public sealed record PhiAccrualOptions
{
    /// <summary>The defaults.</summary>
    public static PhiAccrualOptions Default { get; } = new();

    /// <summary>φ at which a node is suspected: 8 means a 10⁻⁸ chance that a live node would be this late.</summary>
    /// <value>Defaults to 8.</value>
    public double Threshold { get; init; } = 8;

    /// <summary>The smallest standard deviation used, so very regular heartbeats do not make a small delay look fatal.</summary>
    /// <value>Defaults to 100 ms.</value>
    public TimeSpan MinStdDeviation { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A pause that is never suspicious on its own (garbage collection, a loaded machine): added to the mean interval.</summary>
    /// <value>Defaults to 3 s.</value>
    public TimeSpan AcceptableHeartbeatPause { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How many recent heartbeat intervals the distribution is estimated from.</summary>
    /// <value>Defaults to 200.</value>
    public int MaxSampleSize { get; init; } = 200;

    /// <summary>The interval assumed before any was measured (the configured heartbeat interval).</summary>
    /// <value>Defaults to 1 s.</value>
    public TimeSpan FirstHeartbeatEstimate { get; init; } = TimeSpan.FromSeconds(1);

    internal void Validate()
    {
        if (!(Threshold > 0) || double.IsInfinity(Threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "PhiAccrual.Threshold must be a positive number.");
        }
        if (MinStdDeviation <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MinStdDeviation), MinStdDeviation, "PhiAccrual.MinStdDeviation must be positive.");
        }
        if (AcceptableHeartbeatPause < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(AcceptableHeartbeatPause), AcceptableHeartbeatPause, "PhiAccrual.AcceptableHeartbeatPause must not be negative.");
        }
        if (MaxSampleSize < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSampleSize), MaxSampleSize, "PhiAccrual.MaxSampleSize must be at least 2.");
        }
        if (FirstHeartbeatEstimate <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(FirstHeartbeatEstimate), FirstHeartbeatEstimate, "PhiAccrual.FirstHeartbeatEstimate must be positive.");
        }
    }
}
