using System.Text.Json;

namespace Murmur.Nats.Integration.Tests;

/// <summary>
/// A network partition, made real: the researcher's `murmur node` knows only server n1 of the cluster (its --log names
/// just that server), the coder and reviewer node, the standby and the task know only n2 and n3. Server n1 is then
/// stopped with SIGSTOP, not killed: a killed server closes its clients' connections, and the NATS client reconnects
/// to the servers the cluster advertised (INFO's connect_urls) whatever its URL names, so the node would not be cut
/// off at all. A stopped server keeps the connection open and silent, as a partition does. Servers n2 and n3 keep
/// the JetStream quorum of the three-replica stream: the survivors declare the researcher's node down and take its
/// agent over; when n1 continues (SIGCONT), the cut-off node learns it was declared down, its late events are fenced,
/// and it exits non-zero as a paused node does. Every node runs with the default detection settings. (Until December
/// 2026 the survivors needed a 15 s acceptable pause: about one run in six also declared the standby down while n1 was
/// stopped. Once a node stopped counting the time its own heartbeats came back late as others' silence, 11 runs in a
/// row passed with the defaults, 6 of them beside two CPU spinners.)
/// </summary>
public sealed class FleetPartitionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A stream of this test's own with three replicas (the suite's MURMUR stream has one, which a stopped server may
    /// hold), given to every process as settings (section "Murmur", as a worker's appsettings.json).
    /// </summary>
    private static string WriteSettings(string stream)
    {
        var path = Path.Combine(Path.GetTempPath(), $"murmur-{stream.ToLowerInvariant()}.json");
        var settings = new { Murmur = new { Log = new { Nats = new { Stream = stream, SubjectPrefix = stream.ToLowerInvariant(), Replicas = 3 } } } };
        File.WriteAllText(path, JsonSerializer.Serialize(settings));
        return path;
    }

    /// <summary>Sends a POSIX signal to server n<paramref name="index"/> (by its pid file, as tests/servers.sh writes it).</summary>
    private static void SignalServer(int index, string signal)
    {
        var dir = Environment.GetEnvironmentVariable("MURMUR_NATS_DIR") ?? throw new InvalidOperationException("MURMUR_NATS_DIR is not set: run ./test.sh.");
        var pid = File.ReadAllText(Path.Combine(dir, $"n{index}.pid")).Trim();
        using var kill = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("kill", [$"-{signal}", pid]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("could not run kill");
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>
    /// Deletes a stream once the cluster answers: right after n1 continues, the JetStream API may not answer while the
    /// servers agree on their leaders again (each attempt waits for the answer, up to the client's request timeout).
    /// </summary>
    private static async Task DeleteAsync(string stream)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await NatsCluster.DeleteStreamAsync(stream);
                return;
            }
            catch (Exception ex) when (attempt < 10 && ex is NATS.Client.JetStream.NatsJSApiNoResponseException or NATS.Client.JetStream.NatsJSApiException { Error.Code: 503 })
            {
            }
        }
    }

    private static string Survivors => $"{NatsCluster.UrlOf(2)},{NatsCluster.UrlOf(3)}";

    private static OutputProcess Node(string url, string config, string id, string roleOption, string roles, params string[] extra)
        => OutputProcess.Murmur(["node", "--log", url, "--config", config, roleOption, roles, "--root", MeshCliTests.ExampleTree(), "--node-id", id, "--think-ms", "300", .. extra]);

    [Fact]
    public async Task NodeCutOffWithItsServer_IsTakenOver_AndFencedWhenTheServerReturns()
    {
        var id = Guid.NewGuid().ToString("N")[..6];
        var stream = $"PART{id}".ToUpperInvariant();
        var config = WriteSettings(stream);
        var stopped = false;
        Exception? failure = null;
        try
        {
            using var researcher = Node(NatsCluster.UrlOf(1), config, $"r{id}", "--agents", "researcher");
            using var coder = Node(Survivors, config, $"c{id}", "--agents", "coder,reviewer");
            using var standby = Node(Survivors, config, $"s{id}", "--takeover", "researcher,coder,reviewer");
            string Everything() => $"researcher:\n{researcher.Output}\ncoder:\n{coder.Output}\nstandby:\n{standby.Output}";
            await researcher.WaitForLineAsync(l => l.Contains("waiting for tasks", StringComparison.Ordinal), Patience);
            await coder.WaitForLineAsync(l => l.Contains("waiting for tasks", StringComparison.Ordinal), Patience);
            await standby.WaitForLineAsync(l => l.Contains("standby, takes over", StringComparison.Ordinal), Patience);

            using var task = OutputProcess.Murmur("task", "start", "fix the auth_token leaks", "--log", Survivors, "--config", config, "--researchers", "1", "--wait", "110");
            var announced = await task.WaitForLineAsync(l => l.Contains(" announced: topic task-", StringComparison.Ordinal), Patience);
            var taskId = announced.Split(' ')[1];
            await task.WaitForLineAsync(l => l.StartsWith("Researcher_", StringComparison.Ordinal) && l.Contains("FINDING", StringComparison.Ordinal), Patience);

            SignalServer(1, "STOP");
            stopped = true;
            var agent = $"Researcher_r{id}_{taskId}";
            try
            {
                await standby.WaitForLineAsync(l => l.Contains($"took over {agent}", StringComparison.Ordinal), Patience);
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"{ex.Message}\n{Everything()}", ex);
            }
            var code = await task.WaitForExitAsync(Patience);
            Assert.True(code == 0, $"task failed:\n{task.Output}\n{Everything()}");

            SignalServer(1, "CONT");
            stopped = false;
            Assert.True(await researcher.WaitForExitAsync(Patience) == 1, $"the cut-off node did not exit with 1:\n{Everything()}");
            Assert.True(researcher.Output.Contains("was declared down by node", StringComparison.Ordinal), $"the cut-off node exited for another reason:\n{Everything()}");

            await using var log = await NatsEventLog.ConnectAsync(NatsCluster.Options(stream) with { Url = Survivors });
            await using var node = await MurmurNode.StartAsync(o => o.UseLog(log));
            var topic = await node.OpenTopicAsync($"task-{taskId}");
            var owners = FleetCliTests.CheckEffects(topic);
            Assert.Equal($"s{id}", owners[(agent, 2)]);
            Assert.False(owners.ContainsKey((agent, 3)));
            // Whatever the cut-off copy wrote after the claim was refused by the reading node, and only for that reason.
            Assert.All(node.DeadLetters.Items.Where(d => d.Topic == $"task-{taskId}"), d => Assert.StartsWith("fenced: ", d.Reason, StringComparison.Ordinal));
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            await CleanUpAsync(stopped, stream, config, failure);
        }
    }

    /// <summary>Leaves the cluster as the test found it; a failure here does not hide the test's own.</summary>
    private static async Task CleanUpAsync(bool stopped, string stream, string config, Exception? failure)
    {
        try
        {
            if (stopped)
            {
                SignalServer(1, "CONT");
            }
            // The streams go first: their consumers, left by the killed processes, would keep /healthz unavailable.
            await DeleteAsync(stream);
            await DeleteAsync($"KV_{stream}_FLEET");
            await NatsCluster.WaitAllHealthyAsync();
            File.Delete(config);
        }
        catch (Exception ex) when (failure is not null)
        {
            await Console.Error.WriteLineAsync($"cleaning up after a failed partition test failed too: {ex}");
        }
    }
}
