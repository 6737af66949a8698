using System.Globalization;

namespace Murmur.Benchmarks.Consistency;

/// <summary>
/// The essay's task on four designs — orchestrated, strict, eventual, eventual+speculation — on the same seeded
/// work. Exploratory: researchers search (modelled tool and model latency), a coder drafts a patch per finding, a
/// reviewer reviews each; measures wall-clock, events, messages and speculation hit/abort rates. Precision: operators
/// make read-modify-write changes to a shared config; reports whether each system's result was identical in every
/// repeat of every seed. Latencies are real sleeps, scaled: 1 ms here = 100 ms modelled.
/// </summary>
internal sealed class ConsistencyBench : IBench
{
    private const int Researchers = 4;
    private const int Steps = 8;
    private const int Operators = 4;
    private const int OperatorSteps = 4;

    public string Name => "consistency";

    public async Task RunAsync(BenchContext context)
    {
        var seeds = context.Quick ? 3 : 10;
        var precisionSeeds = context.Quick ? 4 : 10;
        var repeats = context.Quick ? 2 : 4;
        Console.Error.WriteLine($"# consistency: {Researchers} researchers x {Steps} steps, 1 coder, 1 reviewer; {seeds} seeds; scale {Modelled.Scale}");

        // Warm-up (JIT, thread pool): one run of each system, not reported.
        foreach (var system in ExploratorySystems.All)
        {
            await ExploratorySystems.RunAsync(system, ExploratoryPlan.Create(0, Researchers, Steps));
            await PrecisionSystems.RunAsync(system, PrecisionPlan.Create(0, Operators, OperatorSteps));
        }

        var results = ExploratorySystems.All.ToDictionary(s => s, _ => new List<ExploratoryResult>(), StringComparer.Ordinal);
        for (var seed = 1; seed <= seeds; seed++)
        {
            var plan = ExploratoryPlan.Create(seed, Researchers, Steps);
            foreach (var system in ExploratorySystems.All)
            {
                results[system].Add(await ExploratorySystems.RunAsync(system, plan));
            }
        }
        (string, object)[] common = [("workload", "exploratory"), ("seeds", seeds), ("researchers", Researchers), ("steps", Steps), ("scale", Modelled.Scale)];
        var wall = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var system in ExploratorySystems.All)
        {
            var runs = results[system];
            wall[system] = runs.Average(r => r.WallSeconds);
            context.Report(Name, system, "wall_seconds", wall[system], "s", [.. common, ("stat", "mean")]);
            context.Report(Name, system, "wall_seconds_modelled", wall[system] * Modelled.ModelledMsPerMs, "s", [.. common, ("stat", "mean")]);
            context.Report(Name, system, "events", runs.Average(r => r.Events), "count", [.. common, ("stat", "mean per run")]);
            context.Report(Name, system, "messages", runs.Average(r => r.Messages), "count", [.. common, ("stat", "mean per run")]);
            context.Report(Name, system, "drafts", runs.Average(r => r.Drafts), "count", [.. common, ("stat", "mean per run")]);
        }
        var started = results[ExploratorySystems.Speculative].Sum(r => r.Speculations.Started);
        var committed = results[ExploratorySystems.Speculative].Sum(r => r.Speculations.Committed);
        var aborted = results[ExploratorySystems.Speculative].Sum(r => r.Speculations.Aborted);
        context.Report(Name, ExploratorySystems.Speculative, "speculation_hit_rate", started == 0 ? 0 : (double)committed / started, "ratio", [.. common, ("started", started)]);
        context.Report(Name, ExploratorySystems.Speculative, "speculation_abort_rate", started == 0 ? 0 : (double)aborted / started, "ratio", [.. common, ("started", started)]);

        var saving = 1 - (wall[ExploratorySystems.Speculative] / wall[ExploratorySystems.Strict]);
        context.Report(Name, ExploratorySystems.Speculative, "wall_saving_vs_strict", saving, "ratio", common);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# target eventual+speculation >= 30% less wall-clock than strict: {saving:P1} -> {(saving >= 0.30 ? "MET" : "MISSED")}"));
        var strictVsOrchestrated = wall[ExploratorySystems.Strict] / wall[ExploratorySystems.Orchestrated];
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# target strict no slower than orchestrated: strict/orchestrated = {strictVsOrchestrated:F2} -> {(strictVsOrchestrated <= 1 ? "MET" : "MISSED")}"));

        await RunPrecisionAsync(context, precisionSeeds, repeats);

        if (!context.Quick && Directory.Exists("docs"))
        {
            var svg = WallChart.Render([.. ExploratorySystems.All.Select(s => (s, wall[s]))],
                $"mean of {seeds} seeds; {Researchers} researchers x {Steps} steps, 1 coder, 1 reviewer; {Modelled.Scale}");
            await File.WriteAllTextAsync(Path.Combine("docs", "consistency-wall.svg"), svg);
            Console.Error.WriteLine("# wrote docs/consistency-wall.svg");
        }
    }

    private async Task RunPrecisionAsync(BenchContext context, int seeds, int repeats)
    {
        var outcomes = ExploratorySystems.All.ToDictionary(s => s, _ => new List<(int Seed, double Seconds, string Result)>(), StringComparer.Ordinal);
        for (var repeat = 0; repeat < repeats; repeat++)
        {
            for (var seed = 1; seed <= seeds; seed++)
            {
                var plan = PrecisionPlan.Create(seed, Operators, OperatorSteps);
                foreach (var system in ExploratorySystems.All)
                {
                    var (seconds, result) = await PrecisionSystems.RunAsync(system, plan);
                    outcomes[system].Add((seed, seconds, result));
                }
            }
        }
        (string, object)[] common = [("workload", "precision"), ("seeds", seeds), ("repeats", repeats), ("operators", Operators), ("steps", OperatorSteps), ("scale", Modelled.Scale)];
        foreach (var system in ExploratorySystems.All)
        {
            var runs = outcomes[system];
            var bySeed = runs.GroupBy(r => r.Seed).ToList();
            var divergent = bySeed.Count(g => g.Select(r => r.Result).Distinct(StringComparer.Ordinal).Count() > 1);
            var reference = bySeed.Count(g => g.All(r => string.Equals(r.Result, PrecisionPlan.Create(g.Key, Operators, OperatorSteps).Reference(), StringComparison.Ordinal)));
            var guarantee = system is ExploratorySystems.Orchestrated or ExploratorySystems.Strict ? "identical" : "none";
            context.Report(Name, system, "wall_seconds", runs.Average(r => r.Seconds), "s", [.. common, ("stat", "mean")]);
            context.Report(Name, system, "identical_results", divergent == 0 ? 1 : 0, "bool", [.. common, ("guarantee", guarantee)]);
            context.Report(Name, system, "divergent_seeds", divergent, "count", common);
            context.Report(Name, system, "seeds_matching_supersteps", reference, "count", common);
            Console.Error.WriteLine(divergent == 0
                ? $"# precision {system}: identical result in every repeat of all {seeds} seeds"
                : $"# precision {system}: results differed between repeats in {divergent} of {seeds} seeds — {(guarantee == "none" ? "allowed: eventual topics make no ordering guarantee for concurrent writes" : "A BUG: this mode promises identical results")}");
        }
    }
}
