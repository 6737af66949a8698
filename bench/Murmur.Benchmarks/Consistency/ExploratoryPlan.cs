namespace Murmur.Benchmarks.Consistency;

/// <summary>
/// The exploratory task, drawn from a seed so every system does the same work: researchers with K search steps
/// (tool + model latency, log-normal), findings (provisional until the researcher's TASK_COMPLETE), some retracted
/// and replaced by a correction, and per finding a draft latency (coder) and a review latency (reviewer).
/// </summary>
internal sealed class ExploratoryPlan
{
    public const double ToolMedianMs = 3;      // 300 ms modelled
    public const double ModelMedianMs = 10;    // 1 s modelled
    public const double StepSigma = 0.6;
    public const double DraftMedianMs = 15;    // 1.5 s modelled
    public const double ReviewMedianMs = 6;    // 600 ms modelled
    public const double WorkSigma = 0.5;
    public const double FindingChance = 0.3;
    public const double RetractChance = 0.1;

    private readonly Dictionary<string, string> _researcherOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _draftMs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _reviewMs = new(StringComparer.Ordinal);

    private ExploratoryPlan(int seed, IReadOnlyList<ResearcherPlan> researchers, IReadOnlyList<string> findings, IReadOnlySet<string> retracted)
    {
        Seed = seed;
        Researchers = researchers;
        AllFindings = findings;
        Retracted = retracted;
        Final = new HashSet<string>(findings.Where(f => !retracted.Contains(f)), StringComparer.Ordinal);
    }

    public int Seed { get; }

    public IReadOnlyList<ResearcherPlan> Researchers { get; }

    /// <summary>Every finding ever reported, in plan order.</summary>
    public IReadOnlyList<string> AllFindings { get; }

    /// <summary>Findings withdrawn later.</summary>
    public IReadOnlySet<string> Retracted { get; }

    /// <summary>The findings the finished task must hold a reviewed patch for.</summary>
    public IReadOnlySet<string> Final { get; }

    public string ResearcherOf(string finding) => _researcherOf[finding];

    public double DraftMs(string finding) => _draftMs[finding];

    public double ReviewMs(string finding) => _reviewMs[finding];

    public static ExploratoryPlan Create(int seed, int researchers, int steps)
    {
        var random = new Random(seed);
        var latencies = new (double Tool, double Model, bool Finding)[researchers, steps];
        for (var r = 0; r < researchers; r++)
        {
            for (var s = 0; s < steps; s++)
            {
                latencies[r, s] = (Modelled.LogNormal(random, ToolMedianMs, StepSigma), Modelled.LogNormal(random, ModelMedianMs, StepSigma), random.NextDouble() < FindingChance);
            }
        }
        if (!Enumerable.Range(0, researchers).Any(r => Enumerable.Range(0, steps).Any(s => latencies[r, s].Finding)))
        {
            latencies[0, 0].Finding = true; // a task with nothing to patch measures nothing
        }
        var retracts = new List<string>[researchers, steps];
        var findings = new List<string>[researchers, steps];
        for (var r = 0; r < researchers; r++)
        {
            for (var s = 0; s < steps; s++)
            {
                retracts[r, s] ??= [];
                findings[r, s] ??= [];
                if (!latencies[r, s].Finding)
                {
                    continue;
                }
                var key = $"R{r + 1}-S{s + 1}";
                findings[r, s].Add(key);
                if (s < steps - 1 && random.NextDouble() < RetractChance)
                {
                    // Found to be a false positive at a later step: withdrawn there, and a corrected finding replaces it.
                    var at = random.Next(s + 1, steps);
                    retracts[r, at] ??= [];
                    findings[r, at] ??= [];
                    retracts[r, at].Add(key);
                    findings[r, at].Insert(0, key + "-fix");
                }
            }
        }
        var plans = new List<ResearcherPlan>();
        var all = new List<string>();
        var retracted = new HashSet<string>(StringComparer.Ordinal);
        var researcherOf = new List<(string Key, string Researcher)>();
        for (var r = 0; r < researchers; r++)
        {
            var name = $"Researcher_Agent_{r + 1}";
            var list = new List<ResearchStep>();
            for (var s = 0; s < steps; s++)
            {
                list.Add(new ResearchStep(latencies[r, s].Tool, latencies[r, s].Model, retracts[r, s], findings[r, s]));
                retracted.UnionWith(retracts[r, s]);
                foreach (var f in findings[r, s])
                {
                    all.Add(f);
                    researcherOf.Add((f, name));
                }
            }
            plans.Add(new ResearcherPlan(name, list));
        }
        var plan = new ExploratoryPlan(seed, plans, all, retracted);
        foreach (var (key, researcher) in researcherOf)
        {
            plan._researcherOf[key] = researcher;
            plan._draftMs[key] = Modelled.LogNormal(random, DraftMedianMs, WorkSigma);
            plan._reviewMs[key] = Modelled.LogNormal(random, ReviewMedianMs, WorkSigma);
        }
        return plan;
    }
}
