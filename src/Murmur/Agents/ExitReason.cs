namespace Murmur.Agents;

/// <summary>Why an agent ended.</summary>
public enum ExitKind
{
    /// <summary>It stopped itself.</summary>
    Normal,

    /// <summary>Its supervisor or the runtime shut it down.</summary>
    Shutdown,

    /// <summary>It did not stop within its shutdown timeout and was abandoned.</summary>
    Killed,

    /// <summary>It crashed; <see cref="ExitReason.Exception"/> says how.</summary>
    Failure,

    /// <summary>It was not alive when asked about (a monitor or link on a dead process).</summary>
    NoProcess,
}

/// <summary>The reason an agent ended; immutable.</summary>
public sealed class ExitReason
{
    private ExitReason(ExitKind kind, Exception? exception)
    {
        Kind = kind;
        Exception = exception;
    }

    /// <summary>A normal exit.</summary>
    public static ExitReason Normal { get; } = new(ExitKind.Normal, null);

    /// <summary>A shutdown by the supervisor or runtime.</summary>
    public static ExitReason Shutdown { get; } = new(ExitKind.Shutdown, null);

    /// <summary>Abandoned after its shutdown timeout.</summary>
    public static ExitReason Killed { get; } = new(ExitKind.Killed, null);

    /// <summary>Not alive when asked about.</summary>
    public static ExitReason NoProcess { get; } = new(ExitKind.NoProcess, null);

    /// <summary>The kind of exit.</summary>
    public ExitKind Kind { get; }

    /// <summary>The exception of a <see cref="ExitKind.Failure"/>.</summary>
    public Exception? Exception { get; }

    /// <summary>True for reasons other than <see cref="ExitKind.Normal"/> and <see cref="ExitKind.Shutdown"/> (OTP's definition).</summary>
    public bool IsAbnormal => Kind is not (ExitKind.Normal or ExitKind.Shutdown);

    /// <summary>A crash with its exception.</summary>
    public static ExitReason Failure(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new ExitReason(ExitKind.Failure, exception);
    }

    /// <inheritdoc/>
    public override string ToString() => Exception is null ? Kind.ToString().ToLowerInvariant()
        : $"failure: {Exception.GetType().Name}: {Exception.Message}";
}
