using System.Diagnostics;
using System.Text;

namespace Murmur.Nats.Integration.Tests;

/// <summary>The mesh commands as a person uses them: two `murmur node` processes and `murmur task start --wait`.</summary>
public sealed class MeshCliTests
{
    private static string Cli => Path.Combine(AppContext.BaseDirectory, "Murmur.Cli.dll");

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

    private static Process Start(StringBuilder output, params string[] args) => Start(output, null, args);

    private static Process Start(StringBuilder output, Action<string>? onLine, params string[] args)
    {
        var process = new Process
        {
            StartInfo = new ProcessStartInfo("dotnet", ["exec", Cli, .. args])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
            if (e.Data is { } line)
            {
                onLine?.Invoke(line);
            }
        };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    [Fact]
    public async Task TwoNodeProcesses_AndTaskStart_FinishTheTaskOverNats()
    {
        var nodes = new StringBuilder();
        var id = Guid.NewGuid().ToString("N")[..6];
        var ready = 0;
        var bothReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string line)
        {
            if (line.Contains("waiting for tasks", StringComparison.Ordinal) && Interlocked.Increment(ref ready) == 2)
            {
                bothReady.TrySetResult();
            }
        }
        using var researcher = Start(nodes, OnLine, "node", "--log", NatsCluster.Url, "--agents", "researcher", "--root", ExampleTree(), "--node-id", $"r{id}");
        using var coder = Start(nodes, OnLine, "node", "--log", NatsCluster.Url, "--agents", "coder,reviewer", "--root", ExampleTree(), "--node-id", $"c{id}");
        try
        {
            await bothReady.Task.WaitAsync(TimeSpan.FromMinutes(1)); // both nodes follow the control topic from its end
            var task = new StringBuilder();
            using var start = Start(task, "task", "start", "fix the auth_token leaks", "--log", NatsCluster.Url, "--researchers", "1", "--wait", "90");
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            await start.WaitForExitAsync(cts.Token);
            Assert.True(start.ExitCode == 0, $"task start failed:\n{task}\nnodes:\n{nodes}");
            Assert.Contains("done", task.ToString(), StringComparison.Ordinal);
            Assert.Contains("PROPOSAL", task.ToString(), StringComparison.Ordinal);
            Assert.Contains("REVIEW", task.ToString(), StringComparison.Ordinal);
            var taskId = System.Text.RegularExpressions.Regex.Match(task.ToString(), @"task (\w+) \(eventual\) announced").Groups[1].Value;

            // A second task that cannot finish (it waits for 99 researchers) is running once a node joined it.
            var second = new StringBuilder();
            using var announce = Start(second, "task", "start", "never done", "--log", NatsCluster.Url, "--researchers", "99");
            await announce.WaitForExitAsync(cts.Token);
            var runningId = System.Text.RegularExpressions.Regex.Match(second.ToString(), @"task (\w+) \(eventual\) announced").Groups[1].Value;
            await using var log = await NatsEventLog.ConnectAsync(new NatsEventLogOptions { Url = NatsCluster.Url });
            await foreach (var _ in log.ReadAsync($"task-{runningId}", 1, follow: true, cts.Token))
            {
                break;
            }

            var list = await RunAsync("task", "list", "--log", NatsCluster.Url);
            Assert.Matches($@"(?m)^{taskId}\s+done\s+eventual", list);
            Assert.Matches($@"(?m)^{runningId}\s+running\s+eventual", list);

            var refused = await RunAsync(1, "task", "gc", "--log", NatsCluster.Url, "--task", runningId);
            Assert.Contains($"task {runningId} is still running", refused, StringComparison.Ordinal);
            var dry = await RunAsync("task", "gc", "--log", NatsCluster.Url, "--task", taskId, "--dry-run");
            Assert.Contains($"would delete task {taskId}", dry, StringComparison.Ordinal);
            Assert.True(await log.GetEndPositionAsync($"task-{taskId}") > 0, "a dry run deleted the topic");

            var gc = await RunAsync("task", "gc", "--log", NatsCluster.Url, "--task", taskId);
            Assert.Contains($"deleted task {taskId}: topic task-{taskId}", gc, StringComparison.Ordinal);
            await foreach (var entry in log.ReadAsync($"task-{taskId}", 1, follow: false))
            {
                Assert.Fail($"task-{taskId} still holds record {entry.Position} after gc");
            }
            Assert.True(await log.GetEndPositionAsync($"task-{runningId}") > 0, "gc touched the running task");
            Assert.Matches($@"(?m)^{taskId}\s+empty", await RunAsync("task", "list", "--log", NatsCluster.Url));
        }
        finally
        {
            researcher.Kill(entireProcessTree: true);
            coder.Kill(entireProcessTree: true);
        }
    }

    private static Task<string> RunAsync(params string[] args) => RunAsync(0, args);

    private static async Task<string> RunAsync(int exitCode, params string[] args)
    {
        var output = new StringBuilder();
        using var process = Start(output, args);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(process.ExitCode == exitCode, $"murmur {string.Join(' ', args)} exited {process.ExitCode}, expected {exitCode}:\n{output}");
        return output.ToString();
    }

    [Fact]
    public async Task ToolCall_RunsAToolThatAnotherNodeServes_ThroughTheLog()
    {
        var nodeOutput = new StringBuilder();
        var hostId = $"t{Guid.NewGuid().ToString("N")[..6]}";
        var serving = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var host = Start(nodeOutput, line => { if (line.Contains("serving tools only", StringComparison.Ordinal)) { serving.TrySetResult(); } },
            "node", "--log", NatsCluster.Url, "--serve-tools", "--root", ExampleTree(), "--node-id", hostId);
        try
        {
            await serving.Task.WaitAsync(TimeSpan.FromMinutes(1));
            Assert.Contains($"node {hostId}: serving [grep_search, list_files, propose_patch, read_file]", nodeOutput.ToString(), StringComparison.Ordinal);

            var output = new StringBuilder();
            using var call = Start(output, "tool", "call", "grep_search", "--log", NatsCluster.Url, "--node", hostId, "--args", """{"query":"auth_token","path":"."}""", "--wait", "60");
            await call.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(call.ExitCode == 0, $"tool call failed:\n{output}\nnode:\n{nodeOutput}");
            // stdout is the result's one JSON line; stderr says once that this open mesh does not sign events.
            Assert.Contains("murmur tool: warning: events are not signed", output.ToString(), StringComparison.Ordinal);
            using var result = System.Text.Json.JsonDocument.Parse(output.ToString().Split('\n').Single(l => l.StartsWith('{')));
            Assert.Equal(hostId, result.RootElement.GetProperty("host").GetString());
            Assert.True(result.RootElement.GetProperty("ok").GetBoolean());
            Assert.NotEmpty(result.RootElement.GetProperty("result").GetProperty("matches").EnumerateArray());

            var refused = new StringBuilder();
            using var bad = Start(refused, "tool", "call", "apply_patch", "--log", NatsCluster.Url, "--node", hostId, "--wait", "60");
            await bad.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.Equal(1, bad.ExitCode);
            Assert.Contains($"murmur tool: node '{hostId}' serves no tool named 'apply_patch'", refused.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            host.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task UnreachableLog_IsOneClearLine_AndANonZeroExit()
    {
        var output = new StringBuilder();
        using var tail = Start(output, "log", "tail", "--topic", "t", "--log", "nats://127.0.0.1:1");
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await tail.WaitForExitAsync(cts.Token);
        Assert.Equal(1, tail.ExitCode);
        var text = output.ToString().Trim();
        Assert.StartsWith("murmur log: Cannot open the NATS event log at nats://127.0.0.1:1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }
}
