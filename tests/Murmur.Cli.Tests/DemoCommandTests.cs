using System.Diagnostics;
using System.Text.Json;
using Murmur.Cli.Commands;

namespace Murmur.Cli.Tests;

public sealed class DemoCommandTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("murmur-demo-").FullName;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    internal static string ExampleTree()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples", "auth-token");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("examples/auth-token not found above the test binaries");
    }

    private (int Code, string Out, string Err) Demo(params string[] extra)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = CommandLine.Run(["demo", "--root", ExampleTree(), "--out", _out, "--think-ms", "5", .. extra], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static List<JsonElement> ReadLog(string path)
        => [.. File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    [Fact]
    public void Demo_BothModes_WritesAPatchThatGitApplies_AndBothEventLogs()
    {
        var (code, output, error) = Demo("--quiet");
        Assert.True(code == 0, error);
        Assert.Contains("[scripted]", output, StringComparison.Ordinal);
        Assert.Contains("both runs produced the same fixes", output, StringComparison.Ordinal);

        var copy = Directory.CreateTempSubdirectory("murmur-apply-").FullName;
        try
        {
            foreach (var file in Directory.EnumerateFiles(ExampleTree(), "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(copy, Path.GetRelativePath(ExampleTree(), file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
            var git = Process.Start(new ProcessStartInfo("git", ["apply", "--check", "-v", Path.Combine(_out, "patch.diff")])
            {
                WorkingDirectory = copy,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            var gitErrors = git.StandardError.ReadToEnd();
            git.WaitForExit();
            Assert.True(git.ExitCode == 0, "git apply --check refused patch.diff: " + gitErrors);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }

        var patch = File.ReadAllText(Path.Combine(_out, "patch.diff"));
        var removed = patch.Split('\n').Count(l => l.StartsWith('-') && !l.StartsWith("---", StringComparison.Ordinal));
        Assert.Equal(7, removed); // the seven real leaks of the example tree, one line each
        Assert.DoesNotContain("test_auth.py", patch, StringComparison.Ordinal); // the retracted false positive is not patched

        Assert.Contains("<svg", File.ReadAllText(Path.Combine(_out, "eventual.html")), StringComparison.Ordinal);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(_out, "strict.html")), StringComparison.Ordinal);
        var eventual = ReadLog(Path.Combine(_out, "eventual.jsonl"));
        var strict = ReadLog(Path.Combine(_out, "strict.jsonl"));
        static string Action(JsonElement e) => e.GetProperty("action").GetString()!;
        // Eventual: the coder drafted before the researchers were done (speculation), and it all committed or aborted.
        var firstProposal = eventual.FindIndex(e => Action(e) == "PROPOSAL");
        var lastResearchDone = eventual.FindLastIndex(e => Action(e) == "TASK_COMPLETE" && e.GetProperty("actor").GetString()!.StartsWith("Researcher", StringComparison.Ordinal));
        Assert.True(firstProposal < lastResearchDone, "in eventual mode the coder starts before the research is complete");
        Assert.True(eventual.Exists(e => Action(e) == "PROPOSAL" && e.TryGetProperty("depends_on", out _)));
        Assert.Contains(eventual, e => Action(e) == "SPECULATION_COMMIT");
        // Strict: every event carries a round, and no proposal comes before the research round closed.
        Assert.All(strict.Where(e => Action(e) is not "JOIN"), e => Assert.True(e.TryGetProperty("round", out _)));
        Assert.DoesNotContain(strict, e => Action(e) == "PROPOSAL" && e.GetProperty("round").GetInt32() == 0);
        Assert.DoesNotContain(strict, e => e.TryGetProperty("depends_on", out _));
    }

    [Fact]
    public void Demo_MissingRoot_IsAUsageErrorWithOneClearLine()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = CommandLine.Run(["demo", "--root", "/nonexistent/tree"], stdout, stderr);
        Assert.Equal(2, code);
        Assert.Contains("the root folder '/nonexistent/tree' does not exist", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_UnknownFlag_IsAUsageError()
    {
        var stderr = new StringWriter();
        Assert.Equal(2, CommandLine.Run(["demo", "--fast"], new StringWriter(), stderr));
        Assert.Contains("unknown option '--fast'", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_WithAnOllamaThatIsNotRunning_FailsAtOnceWithOneLineNamingTheEndpoint()
    {
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var endpoint = $"http://127.0.0.1:{((System.Net.IPEndPoint)probe.LocalEndpoint).Port}";
        probe.Stop();
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var code = CommandLine.Run(["demo", "--root", ExampleTree(), "--out", _out, "--model", "ollama:llama3.2", "--endpoint", endpoint], stdout, stderr);

        Assert.Equal(1, code);
        Assert.Equal($"murmur demo: model endpoint {endpoint} is unreachable: the connection was refused (nothing listens there) (is 'ollama serve' running?)", stderr.ToString().Trim());
        Assert.False(File.Exists(Path.Combine(_out, "patch.diff")));
    }

    [Fact]
    public void Demo_BothModes_SaysWhatItMeasured_TheMedianOfAlternatingRunsAfterAWarmUp()
    {
        var (code, output, error) = Demo("--quiet", "--runs", "2");

        Assert.True(code == 0, error);
        Assert.Contains("wall-clock (median of 2)", output, StringComparison.Ordinal);
        Assert.Contains("wall-clock (min / max)", output, StringComparison.Ordinal);
        Assert.Contains("median of 2 run(s) per mode", output, StringComparison.Ordinal);
        Assert.Contains("after one unmeasured warm-up run of each", output, StringComparison.Ordinal);
        Assert.Matches(@"eventual took \d+ % (less|more) wall-clock than strict", output);
        Assert.DoesNotContain("-", System.Text.RegularExpressions.Regex.Match(output, @"eventual took (\S+) %").Groups[1].Value, StringComparison.Ordinal);
    }
}

public sealed class RunCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("murmur-run-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string ExampleScenario()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples", "auth-token", "scenario.yaml");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("examples/auth-token/scenario.yaml not found");
    }

    private (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = CommandLine.Run(["run", .. args], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void ExampleScenario_Runs_ScriptedAgentsGossipAndComplete()
    {
        var (code, output, error) = Run(ExampleScenario(), "--out", _dir);
        Assert.True(code == 0, error);
        Assert.Contains("[scripted]", output, StringComparison.Ordinal);
        var actions = File.ReadAllLines(Path.Combine(_dir, "run.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("action").GetString()).ToList();
        Assert.Contains("TOOL_CALL", actions);
        Assert.Contains("FINDING", actions);
        Assert.Contains("PROPOSAL", actions);
        Assert.Equal(2, actions.Count(a => a == "TASK_COMPLETE"));
        Assert.True(File.Exists(Path.Combine(_dir, "run.html")));
    }

    [Theory]
    [InlineData("topic: fix\nmode: fast\nagents: []\n", "scenario.yaml:2:7: mode: 'fast' is not a mode")]
    [InlineData("topic: fix\nagents:\n  - id: A\n    model: scripted:missing.json\n", "scenario.yaml:4:12: agents[0].model: the script")]
    [InlineData("topic: fix\nagents:\n  - id: A\n    model: gpt\n", "scenario.yaml:4:12: agents[0].model: 'gpt' is not scripted:FILE")]
    [InlineData("topic: fix\nagents:\n  - id: A\n    model: openai:x\n    tools: [rm]\n", "scenario.yaml:5:13: agents[0].tools: unknown tool 'rm'")]
    [InlineData("topic: fix\nagents:\n  - id: A\n    model: openai:x\n    budget: { iterations: many }\n", "scenario.yaml:5:27: agents[0].budget.iterations: a whole number")]
    [InlineData("topic: fix\ncolour: red\nagents: []\n", "scenario.yaml:2:1: the scenario: unknown field 'colour'")]
    [InlineData("topic: [unclosed\n", "scenario.yaml:")]
    [InlineData("topic: has space\nagents: []\n", "scenario.yaml:1:8: topic:")]
    public void MalformedScenario_IsOneClearErrorThatPointsAtTheLine(string yaml, string expected)
    {
        var file = Path.Combine(_dir, "scenario.yaml");
        File.WriteAllText(file, yaml);
        var (code, _, error) = Run(file);
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }
}

public sealed class DemoModelTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("murmur-demo-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Demo_WithAModel_TheReviewerAsksIt()
    {
        var script = Path.Combine(_dir, "reviewer.json");
        File.WriteAllText(script, """{"steps":[{"text":"approve","repeat":true}]}""");
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !Directory.Exists(Path.Combine(root.FullName, "examples", "auth-token")))
        {
            root = root.Parent;
        }
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = CommandLine.Run(["demo", "--root", Path.Combine(root!.FullName, "examples", "auth-token"), "--out", _dir, "--mode", "eventual", "--think-ms", "1", "--quiet", "--model", "scripted:" + script], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        Assert.Contains("reviewer verdicts: model scripted:", stdout.ToString(), StringComparison.Ordinal);
        var reviews = File.ReadAllLines(Path.Combine(_dir, "eventual.jsonl")).Where(l => l.Contains("\"action\":\"REVIEW\"", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(reviews);
        Assert.All(reviews, r => Assert.Contains("[scripted] approve (model)", r, StringComparison.Ordinal));
    }

    [Fact]
    public void Demo_WithAnUnknownProvider_IsAUsageError()
    {
        var stderr = new StringWriter();
        Assert.Equal(2, CommandLine.Run(["demo", "--model", "acme:gpt"], new StringWriter(), stderr));
        Assert.Contains("--model 'acme:gpt'", stderr.ToString(), StringComparison.Ordinal);
    }
}
