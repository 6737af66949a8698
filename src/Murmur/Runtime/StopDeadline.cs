namespace Murmur.Runtime;

/// <summary>
/// The shutdown timeout of a supervisor's child stops, on one timer shared by a run of stops. A supervisor
/// waits for its children one at a time (reverse start order), so at most one wait is armed; arming it for
/// the next child costs a lock and no timer operation while the timer is already due no later than the new
/// deadline. When the timer fires early for the current wait (it was set for an earlier wait that finished),
/// it re-arms for the time that wait has left; a wait whose own timeout has passed gets a
/// <see cref="TimeoutException"/>, which the supervisor turns into a kill.
/// </summary>
/// <remarks>
/// Every field is guarded by <c>lock (this)</c>, also in the timer callback, so the timer's due time is always
/// changed in the same order as the wait it guards: a late callback for a finished wait cannot re-arm the
/// timer past the current wait's deadline.
/// </remarks>
internal sealed class StopDeadline : IDisposable
{
    private readonly TimeProvider _clock;
    private readonly ITimer _timer;
    private TaskCompletionSource? _current;  // the wait being guarded, if any
    private long _startedAt;                 // _clock timestamp when _current was armed
    private TimeSpan _timeout;               // _current's shutdown timeout
    private long _firesAt = long.MaxValue;   // _clock timestamp the timer is due at (MaxValue: not armed)

    public StopDeadline(TimeProvider clock)
    {
        _clock = clock;
        _timer = clock.CreateTimer(static state => ((StopDeadline)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Guards <paramref name="done"/> for <paramref name="timeout"/> from now (finite, non-negative).</summary>
    public void Arm(TaskCompletionSource done, TimeSpan timeout)
    {
        lock (this)
        {
            System.Diagnostics.Debug.Assert(_current is null, "one wait at a time: the supervisor stops its children one by one");
            _current = done;
            _startedAt = _clock.GetTimestamp();
            _timeout = timeout;
            var deadline = _startedAt + (long)(timeout.TotalSeconds * _clock.TimestampFrequency);
            if (deadline < _startedAt)
            {
                deadline = long.MaxValue - 1; // overflow: a very long timeout
            }
            if (_firesAt > deadline)
            {
                _firesAt = deadline;
                _timer.Change(timeout, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>The guarded wait ended (either way). The timer stays as it is: a later fire finds nothing to do or re-arms.</summary>
    public void Disarm()
    {
        lock (this)
        {
            _current = null;
        }
    }

    private void OnTimer()
    {
        TaskCompletionSource? expired = null;
        lock (this)
        {
            _firesAt = long.MaxValue;
            if (_current is not { } current)
            {
                return;
            }
            var left = _timeout - _clock.GetElapsedTime(_startedAt);
            if (left > TimeSpan.Zero)
            {
                _firesAt = _clock.GetTimestamp() + (long)(left.TotalSeconds * _clock.TimestampFrequency);
                _timer.Change(left, Timeout.InfiniteTimeSpan);
                return;
            }
            expired = current;
            _current = null;
        }
        expired.TrySetException(new TimeoutException());
    }

    public void Dispose() => _timer.Dispose();
}
