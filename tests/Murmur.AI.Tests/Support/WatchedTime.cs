using Microsoft.Extensions.Time.Testing;

namespace Murmur.AI.Tests.Support;

/// <summary>
/// Fake time that says when a timer is set: a test that wants a wait to time out advances the clock once the wait's
/// timer exists, instead of sleeping through a short real timeout (which a loaded machine also hits on calls that
/// should succeed).
/// </summary>
internal sealed class WatchedTime(DateTimeOffset start) : TimeProvider
{
    private readonly FakeTimeProvider _time = new(start);
    private readonly Lock _gate = new();
    private readonly List<(TimeSpan Due, TaskCompletionSource Set)> _watches = [];

    public override DateTimeOffset GetUtcNow() => _time.GetUtcNow();

    public override long GetTimestamp() => _time.GetTimestamp();

    public override long TimestampFrequency => _time.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _time.LocalTimeZone;

    public void Advance(TimeSpan by) => _time.Advance(by);

    /// <summary>Completes when the next timer due after <paramref name="due"/> is set (call before starting the wait).</summary>
    public Task TimerSetAsync(TimeSpan due)
    {
        var set = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _watches.Add((due, set));
        }
        return set.Task;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _time.CreateTimer(callback, state, dueTime, period);
        lock (_gate)
        {
            var i = _watches.FindIndex(w => w.Due == dueTime);
            if (i >= 0)
            {
                _watches[i].Set.TrySetResult();
                _watches.RemoveAt(i);
            }
        }
        return timer;
    }
}
