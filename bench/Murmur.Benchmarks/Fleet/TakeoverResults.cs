namespace Murmur.Benchmarks.Fleet;

/// <summary>
/// The takeovers of one failover run, one per kill, and their result lines: <c>takeover_seconds</c> (from the kill to
/// the new owner's claim read from the log) and <c>resumed_seconds</c> (to the agent's first own event from its new
/// owner), p50 and p99, each tagged with how the owner was killed.
/// </summary>
internal sealed class TakeoverResults(string bench, string kill)
{
    private readonly List<double> _claimed = [];
    private readonly List<double> _resumed = [];

    public int Kills => _claimed.Count;

    /// <summary>Adds one kill: the time to the claim, and to the agent's first event when it published one.</summary>
    public void Add(TimeSpan claimed, TimeSpan? resumed)
    {
        _claimed.Add(claimed.TotalSeconds);
        if (resumed is { } r)
        {
            _resumed.Add(r.TotalSeconds);
        }
    }

    public void Report(BenchContext context, int falseDowns)
    {
        (string, object)[] keys = [("kill", kill), ("kills", Kills), ("log", "nats-r1")];
        foreach (var quantile in new[] { 50, 99 })
        {
            context.Report(bench, "murmur", "takeover_seconds", Percentile(_claimed, quantile), "s", [("quantile", $"p{quantile}"), .. keys]);
        }
        if (_resumed.Count == 0)
        {
            Console.Error.WriteLine("# no agent published anything after its takeover: no resumed_seconds");
        }
        else
        {
            foreach (var quantile in new[] { 50, 99 })
            {
                context.Report(bench, "murmur", "resumed_seconds", Percentile(_resumed, quantile), "s", [("quantile", $"p{quantile}"), .. keys, ("resumed", _resumed.Count)]);
            }
        }
        context.Report(bench, "murmur", "false_downs", falseDowns, "count", keys);
    }

    /// <summary>The nearest-rank percentile (so p99 of a handful of kills is their maximum).</summary>
    public static double Percentile(List<double> values, double percentile)
    {
        if (values.Count == 0)
        {
            return 0;
        }
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
