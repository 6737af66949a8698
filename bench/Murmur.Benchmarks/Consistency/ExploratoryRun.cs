using System.Diagnostics;

namespace Murmur.Benchmarks.Consistency;

/// <summary>
/// One run's instrument, shared by its agents: the start gate, the clock, and the finish line — every researcher
/// finished and a reviewed patch accepted for every final finding. A patch for a retracted finding is an error.
/// </summary>
internal sealed class ExploratoryRun(ExploratoryPlan plan)
{
    private readonly TaskCompletionSource _start = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<double> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<string> _accepted = new(StringComparer.Ordinal);
    private readonly List<string> _errors = [];
    private readonly Stopwatch _clock = new();
    private int _researchersDone;
    private long _handed;
    private long _sent;
    private long _relayed;
    private long _drafts;

    public ExploratoryPlan Plan { get; } = plan;

    /// <summary>Completes when the run starts; agents wait for it before their first step.</summary>
    public Task Started => _start.Task;

    /// <summary>The wall-clock seconds from start to finish.</summary>
    public Task<double> Done => _done.Task;

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_accepted)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>Events handed to agent handlers (topics) or messages received (orchestrated).</summary>
    public long Handed => Interlocked.Read(ref _handed);

    /// <summary>Messages sent by agents, relays excluded (orchestrated only).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Messages relayed by the coordinator (orchestrated only).</summary>
    public long Relayed => Interlocked.Read(ref _relayed);

    /// <summary>Drafts the coder made (including ones later thrown away).</summary>
    public long Drafts => Interlocked.Read(ref _drafts);

    public void Begin()
    {
        _clock.Start();
        _start.SetResult();
    }

    public void OnHanded(int count) => Interlocked.Add(ref _handed, count);

    public void OnSent() => Interlocked.Increment(ref _sent);

    public void OnRelayed() => Interlocked.Increment(ref _relayed);

    public void OnDrafted() => Interlocked.Increment(ref _drafts);

    public void ResearcherDone()
    {
        lock (_accepted)
        {
            _researchersDone++;
            CheckDoneLocked();
        }
    }

    /// <summary>A reviewed patch for <paramref name="finding"/> is accepted into the result.</summary>
    public void Accept(string finding)
    {
        lock (_accepted)
        {
            if (!Plan.Final.Contains(finding))
            {
                _errors.Add($"patch for retracted finding {finding} accepted");
                return;
            }
            if (!_accepted.Add(finding))
            {
                _errors.Add($"patch for {finding} accepted twice");
                return;
            }
            CheckDoneLocked();
        }
    }

    private void CheckDoneLocked()
    {
        if (_researchersDone == Plan.Researchers.Count && _accepted.Count == Plan.Final.Count)
        {
            _done.TrySetResult(_clock.Elapsed.TotalSeconds);
        }
    }
}
