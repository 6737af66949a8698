using System.CommandLine;
using System.Globalization;
using System.Text;
using Murmur.AI.Events;
using Murmur.Cli.Demo;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.Cli.Commands;

/// <summary>
/// <c>murmur demo</c>: the essay's scenario on the embedded in-memory log — researchers search a source tree with
/// co-located tools, a coder drafts the patch as soon as the first finding arrives, a reviewer checks it — once in
/// eventual and once in strict mode; prints a summary and writes the patch, the event logs and their traces.
/// </summary>
internal sealed class DemoCommand : ICommand
{
    public Command Build()
    {
        var root = new Option<string>("--root") { HelpName = "DIR", Description = "the source tree (default: examples/auth-token, found from the current directory up)" };
        var output = new Option<string>("--out") { HelpName = "DIR", Description = "where to write patch.diff, eventual.jsonl/.html, strict.jsonl/.html", DefaultValueFactory = _ => "murmur-out" };
        var mode = new Option<string>("--mode") { HelpName = "M", Description = "eventual, strict or both", DefaultValueFactory = _ => "both" };
        mode.Check(v => v is "eventual" or "strict" or "both", v => $"unknown mode '{v}'; use eventual, strict or both.");
        var think = new Option<int>("--think-ms") { HelpName = "N", Description = "modelled latency of one scripted reasoning step in ms", DefaultValueFactory = _ => 40 };
        think.Check(v => v is >= 0 and <= 10_000, _ => "--think-ms takes a whole number of milliseconds from 0 to 10000.");
        var seed = new Option<int>("--seed") { HelpName = "N", Description = "seed for event ids and think-time jitter", DefaultValueFactory = _ => 7 };
        var quiet = new Option<bool>("--quiet") { Description = "print only the summary" };
        var runs = new Option<int?>("--runs") { HelpName = "N", Description = "measured runs per mode; the summary shows the median (default: 3 with both modes, else 1). With both modes, one unmeasured warm-up run of each comes first and the order alternates." };
        runs.Check(v => v is null or (>= 1 and <= 50), _ => "--runs takes a number from 1 to 50.");
        var model = new Option<string>("--model") { HelpName = "SPEC", Description = "the reviewer asks this model for its verdicts: openai:MODEL (key from OPENAI_API_KEY, any OpenAI-compatible --endpoint), ollama:MODEL, or scripted:FILE" };
        var endpoint = new Option<string>("--endpoint") { HelpName = "URL", Description = "the model's endpoint (openai, ollama)" };
        var command = new MurmurCommand("demo", "run the essay's auth_token scenario in eventual and strict mode (scripted reasoning)")
        {
            Details = """
                                   [--model PROVIDER:MODEL [--endpoint URL]]

                Runs the essay's scenario in one process on the embedded in-memory log: three researcher agents search
                the example tree for auth_token leaks with grep_search and read_file (tools run in-process, next to the
                agent), a coder drafts a fix as soon as a finding arrives (speculatively, before the researcher's
                TASK_COMPLETE, in eventual mode), and a reviewer checks each fix with propose_patch.

                Reasoning is scripted: deterministic rules stand in for a model, with a modelled think time per step.

                exit codes: 0 done, 1 a run failed, 2 usage error (bad flags, missing root folder).
                """,
            Options = { root, output, mode, think, seed, quiet, runs, model, endpoint },
        };
        command.SetRun((parse, stdout, stderr) =>
        {
            IReadOnlyList<Consistency> modes = parse.GetValue(mode) switch
            {
                "eventual" => [Consistency.Eventual],
                "strict" => [Consistency.Strict],
                _ => [Consistency.Eventual, Consistency.Strict],
            };
            var settings = Settings(parse.GetValue(root), parse.GetValue(output)!, modes, parse.GetValue(think), parse.GetValue(seed), parse.GetValue(quiet), parse.GetValue(runs), parse.GetValue(model), parse.GetValue(endpoint));
            return RunAsync(settings, stdout, stderr).GetAwaiter().GetResult();
        });
        return command;
    }

    private static async Task<int> RunAsync(DemoSettings settings, TextWriter stdout, TextWriter stderr)
    {
        stdout.WriteLine($"murmur demo — the auth_token scenario on {settings.Root}");
        stdout.WriteLine($"reasoning: [scripted] deterministic rules, {settings.Think.TotalMilliseconds:0} ms modelled think time per step (seed {settings.Seed}); tools: co-located, in-process");
        if (settings.Model is { } model)
        {
            stdout.WriteLine($"reviewer verdicts: model {model}{(settings.Endpoint is { } e ? " at " + e : string.Empty)} (researchers and coder stay scripted)");
        }
        stdout.WriteLine();
        if (settings.Model is { } spec)
        {
            try
            {
                var check = await Murmur.AI.Providers.ModelCheck.CheckAsync(spec, settings.Endpoint);
                if (check is not null)
                {
                    stdout.WriteLine($"model {check.Model} at {check.Endpoint} answered in {check.Latency.TotalMilliseconds:0} ms{(check.CalledTool ? "" : " (it did not call the offered tool: tool calling may be weak)")}");
                }
            }
            catch (Murmur.AI.Providers.ModelEndpointException ex)
            {
                stderr.WriteLine($"murmur demo: {ex.Message}");
                return ExitCodes.Failed;
            }
        }
        var runs = new List<DemoRun>();
        var walls = settings.Modes.ToDictionary(m => m, _ => new List<TimeSpan>());
        try
        {
            if (settings.Modes.Count > 1)
            {
                // One unmeasured run of each mode first: otherwise the first mode pays the JIT and the comparison
                // measures the runtime warming up, not the modes.
                foreach (var mode in settings.Modes)
                {
                    await DemoRun.RunAsync(settings, mode, null, CancellationToken.None);
                }
            }
            for (var i = 0; i < settings.Runs; i++)
            {
                // Alternate the order, so neither mode always runs on a warmer (or busier) machine.
                foreach (var mode in i % 2 == 0 ? settings.Modes : settings.Modes.Reverse())
                {
                    var first = i == 0;
                    var run = await RunOnceAsync(settings, mode, first, stdout);
                    walls[mode].Add(run.WallClock);
                    if (first)
                    {
                        runs.Add(run);
                    }
                }
            }
        }
        catch (DemoRunFailedException ex)
        {
            stderr.WriteLine($"murmur demo: the {ex.Label} run failed: {ex.Message}");
            return ExitCodes.Failed;
        }
        runs.Sort((a, b) => settings.Modes.ToList().IndexOf(a.Mode).CompareTo(settings.Modes.ToList().IndexOf(b.Mode)));
        Directory.CreateDirectory(settings.Out);
        foreach (var run in runs)
        {
            var name = run.Mode == Consistency.Eventual ? "eventual" : "strict";
            var log = Path.Combine(settings.Out, name + ".jsonl");
            await File.WriteAllLinesAsync(log, run.Events.Select(e => e.ToString()));
            var trace = Trace.TraceModel.Build(await File.ReadAllBytesAsync(log), null);
            await File.WriteAllTextAsync(Path.Combine(settings.Out, name + ".html"), Trace.HtmlPage.Render(trace, $"murmur demo — {name} run"));
        }
        var patch = PatchWriter.ForTree(settings.Root, runs[0].Fixes);
        await File.WriteAllTextAsync(Path.Combine(settings.Out, "patch.diff"), patch);
        stdout.WriteLine();
        stdout.Write(Summarize(runs, walls, settings));
        return ExitCodes.Ok;
    }

    /// <summary>One run; the first measured run of each mode shows its events (live or as lines) unless --quiet.</summary>
    private static async Task<DemoRun> RunOnceAsync(DemoSettings settings, Consistency mode, bool show, TextWriter stdout)
    {
        var label = mode == Consistency.Eventual ? "eventual" : "strict";
        // A live table in an interactive terminal, one line per event otherwise (pipes, CI, tests).
        var live = show && !settings.Quiet && ReferenceEquals(stdout, Console.Out) && LiveView.Supported;
        using var view = live ? new LiveView(label) : null;
        using var printer = !show || settings.Quiet || live ? null : new EventPrinter(label, stdout);
        Action<Topic>? watch = view is not null ? view.Watch : printer is not null ? printer.Watch : null;
        try
        {
            return await DemoRun.RunAsync(settings, mode, watch, CancellationToken.None);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or EventLogException)
        {
            throw new DemoRunFailedException(label, ex);
        }
    }

    private sealed class DemoRunFailedException(string label, Exception inner) : Exception(inner.Message, inner)
    {
        public string Label { get; } = label;
    }

    private static TimeSpan Median(List<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Summarize(List<DemoRun> runs, Dictionary<Consistency, List<TimeSpan>> walls, DemoSettings settings)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine("summary ([scripted] reasoning)");
        sb.AppendLine(inv, $"  {"",-34}{string.Join("", runs.Select(r => $"{Label(r),14}"))}");
        void Row(string name, Func<DemoRun, string> value) => sb.AppendLine(inv, $"  {name,-34}{string.Join("", runs.Select(r => $"{value(r),14}"))}");
        Row(settings.Runs > 1 ? $"wall-clock (median of {settings.Runs})" : "wall-clock", r => $"{Median(walls[r.Mode]).TotalMilliseconds:0} ms");
        if (settings.Runs > 1)
        {
            Row("wall-clock (min / max)", r => $"{walls[r.Mode].Min().TotalMilliseconds:0}/{walls[r.Mode].Max().TotalMilliseconds:0}");
        }
        Row("events", r => r.Events.Count.ToString(inv));
        Row("tool calls (all local)", r => r.Count(AiActions.ToolCall).ToString(inv));
        Row("findings / retracted", r => $"{r.Count(AiActions.Finding)} / {r.Count(Actions.Retract)}");
        Row("proposals / reviews", r => $"{r.Count(AiActions.Proposal)} / {r.Count("REVIEW")}");
        Row("speculation started", r => r.Speculations.Started.ToString(inv));
        Row("speculation committed", r => r.Speculations.Committed.ToString(inv));
        Row("speculation aborted", r => r.Speculations.Aborted.ToString(inv));
        Row("strict rounds", r => r.Mode == Consistency.Strict ? (r.Count(Actions.RoundDone) > 0 ? r.Events.Where(e => e.Round is not null).Max(e => e.Round!.Value).ToString(inv) : "0") : "-");
        Row("first draft before research done", r => r.DraftLead is { } lead ? $"{lead.TotalMilliseconds:0} ms" : "-");
        Row("fixes in the patch", r => r.Fixes.Count.ToString(inv));
        if (runs.Count == 2)
        {
            var same = runs[0].Fixes.Select(f => (f.Path, f.Line, f.After)).SequenceEqual(runs[1].Fixes.Select(f => (f.Path, f.Line, f.After)));
            var eventual = Median(walls[Consistency.Eventual]);
            var strict = Median(walls[Consistency.Strict]);
            var change = eventual <= strict
                ? $"{1 - (eventual / strict):P0} less"
                : $"{(eventual / strict) - 1:P0} more";
            sb.AppendLine(inv, $"  eventual took {change} wall-clock than strict; both runs produced {(same ? "the same" : "DIFFERENT")} fixes.");
            sb.AppendLine(inv, $"  measured: wall-clock from the first spawn to the coder's TASK_COMPLETE, median of {settings.Runs} run(s) per mode,");
            sb.AppendLine(inv, $"  alternating the modes' order, after one unmeasured warm-up run of each (so neither pays the JIT).");
        }
        sb.AppendLine();
        sb.AppendLine(inv, $"wrote {Path.Combine(settings.Out, "patch.diff")} (git apply accepts it in {settings.Root})");
        foreach (var run in runs)
        {
            sb.AppendLine(inv, $"wrote {Path.Combine(settings.Out, Label(run) + ".jsonl")} ({run.Events.Count} events) and its space-time diagram {Path.Combine(settings.Out, Label(run) + ".html")}");
        }
        return sb.ToString();
    }

    private static string Label(DemoRun run) => run.Mode == Consistency.Eventual ? "eventual" : "strict";

    private static DemoSettings Settings(string? root, string output, IReadOnlyList<Consistency> modes, int think, int seed, bool quiet, int? measured, string? model, string? endpoint)
    {
        root ??= FindExampleTree() ?? throw new UsageException("cannot find examples/auth-token from the current directory; pass --root DIR.");
        if (!Directory.Exists(root))
        {
            throw new UsageException($"the root folder '{root}' does not exist.");
        }
        if (model is not null)
        {
            try
            {
                _ = Murmur.AI.Providers.ChatClientFactory.Create(model, endpoint);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException)
            {
                throw new UsageException($"--model '{model}': {ex.Message}");
            }
        }
        return new DemoSettings { Root = Path.GetFullPath(root), Out = output, Modes = modes, Think = TimeSpan.FromMilliseconds(think), Seed = seed, Quiet = quiet, Model = model, Endpoint = endpoint, Runs = measured ?? (modes.Count > 1 ? 3 : 1) };
    }

    private static string? FindExampleTree()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples", "auth-token");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
