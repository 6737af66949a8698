using System.Diagnostics;

namespace Murmur.Benchmarks.Consistency;

/// <summary>One precision run's start gate, clock and result (the deployer's config once it applied every write).</summary>
internal sealed class PrecisionRun(PrecisionPlan plan)
{
    private readonly TaskCompletionSource _start = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<(double Seconds, string Result)> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stopwatch _clock = new();
    private long _handed;

    public PrecisionPlan Plan { get; } = plan;

    public Task Started => _start.Task;

    public Task<(double Seconds, string Result)> Done => _done.Task;

    public long Handed => Interlocked.Read(ref _handed);

    public void Begin()
    {
        _clock.Start();
        _start.SetResult();
    }

    public void OnHanded(int count) => Interlocked.Add(ref _handed, count);

    public void Finish(ConfigState state) => _done.TrySetResult((_clock.Elapsed.TotalSeconds, state.ToString()));
}
