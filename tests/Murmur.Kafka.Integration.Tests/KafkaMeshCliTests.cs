using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Murmur.KafkaMock;

namespace Murmur.Kafka.Integration.Tests;

/// <summary>The mesh commands over Kafka as a person uses them: two `murmur node` processes and `murmur task start --wait`.</summary>
public sealed class KafkaMeshCliTests
{
    private static string Cli => Path.Combine(AppContext.BaseDirectory, "Murmur.Cli.dll");

    private static string ExampleTree()
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
        void Add(string? line)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
            if (line is not null)
            {
                onLine?.Invoke(line);
            }
        }
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    [Fact]
    public async Task TwoNodeProcesses_AndTaskStart_FinishTheTaskOverKafka()
    {
        // A cluster of this test's own: the CLI uses the default Kafka topics, which the mock must hold beforehand.
        using var cluster = MockKafkaCluster.Start(3);
        cluster.CreateTopic(KafkaEventLogOptions.Default.KafkaTopic, 3);
        cluster.CreateTopic(KafkaEventLogOptions.Default.EffectiveMembershipTopic, 1); // where the nodes' fleet beats
        var log = "kafka://" + cluster.Bootstrap;
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
        using var researcher = Start(nodes, OnLine, "node", "--log", log, "--agents", "researcher", "--root", ExampleTree(), "--node-id", $"r{id}");
        using var coder = Start(nodes, OnLine, "node", "--log", log, "--agents", "coder,reviewer", "--root", ExampleTree(), "--node-id", $"c{id}");
        try
        {
            await bothReady.Task.WaitAsync(TimeSpan.FromMinutes(1));
            var task = new StringBuilder();
            using var start = Start(task, null, "task", "start", "fix the auth_token leaks", "--log", log, "--researchers", "1", "--wait", "90");
            await start.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(start.ExitCode == 0, $"task start failed:\n{task}\nnodes:\n{nodes}");
            Assert.Contains("done", task.ToString(), StringComparison.Ordinal);
            Assert.Contains("PROPOSAL", task.ToString(), StringComparison.Ordinal);
            Assert.Contains("REVIEW", task.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("librdkafka", nodes.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            researcher.Kill(entireProcessTree: true);
            coder.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task UnreachableKafka_IsOneClearLine_AndANonZeroExit()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var output = new StringBuilder();
        using var tail = Start(output, null, "log", "tail", "--topic", "t", "--log", $"kafka://127.0.0.1:{port}", "--no-follow");
        await tail.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(1, tail.ExitCode);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith($"murmur log: Cannot open the Kafka event log at 127.0.0.1:{port}", line, StringComparison.Ordinal);
    }
}
