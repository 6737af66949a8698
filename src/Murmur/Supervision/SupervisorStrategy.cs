namespace Murmur.Supervision;

/// <summary>
/// How a supervisor treats its children's exits: the OTP restart strategy, the restart intensity
/// (more than <see cref="MaxRestarts"/> restarts within <see cref="Period"/> make the supervisor stop all
/// its children and fail itself), an optional backoff, and a decider for crashes.
/// </summary>
public sealed record SupervisorStrategy
{
    /// <summary>One-for-one, at most 3 restarts in 5 seconds, every crash restarts.</summary>
    public static SupervisorStrategy Default { get; } = new();

    /// <summary>Which children restart together.</summary>
    /// <value>Defaults to <see cref="SupervisionKind.OneForOne"/>.</value>
    public SupervisionKind Kind { get; init; } = SupervisionKind.OneForOne;

    /// <summary>The most restarts allowed within <see cref="Period"/>; one more fails the supervisor.</summary>
    /// <value>Defaults to 3.</value>
    public int MaxRestarts { get; init; } = 3;

    /// <summary>The sliding window over which restarts are counted.</summary>
    /// <value>Defaults to 5 seconds.</value>
    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Maps a crash to a directive; <see langword="null"/> means always <see cref="SupervisorDirective.Restart"/>.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public Func<Exception, SupervisorDirective>? Decider { get; init; }

    /// <summary>A delay before each restart; <see langword="null"/> restarts at once.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public RestartBackoff? Backoff { get; init; }

    /// <summary>A one-for-one strategy.</summary>
    public static SupervisorStrategy OneForOne(int maxRestarts = 3, TimeSpan? period = null) => Create(SupervisionKind.OneForOne, maxRestarts, period);

    /// <summary>A one-for-all strategy.</summary>
    public static SupervisorStrategy OneForAll(int maxRestarts = 3, TimeSpan? period = null) => Create(SupervisionKind.OneForAll, maxRestarts, period);

    /// <summary>A rest-for-one strategy.</summary>
    public static SupervisorStrategy RestForOne(int maxRestarts = 3, TimeSpan? period = null) => Create(SupervisionKind.RestForOne, maxRestarts, period);

    internal SupervisorDirective Decide(Exception exception) => Decider is null ? SupervisorDirective.Restart : Decider(exception);

    internal void Validate()
    {
        if (MaxRestarts < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRestarts), MaxRestarts, "MaxRestarts must be 0 or more.");
        }
        if (Period <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Period), Period, "Period must be positive.");
        }
        if (!Enum.IsDefined(Kind))
        {
            throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown SupervisionKind.");
        }
        Backoff?.Validate();
    }

    private static SupervisorStrategy Create(SupervisionKind kind, int maxRestarts, TimeSpan? period)
    {
        var strategy = new SupervisorStrategy { Kind = kind, MaxRestarts = maxRestarts, Period = period ?? TimeSpan.FromSeconds(5) };
        strategy.Validate();
        return strategy;
    }
}
