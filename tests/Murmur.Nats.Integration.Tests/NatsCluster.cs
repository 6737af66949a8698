using System.Diagnostics;
using Murmur.Logs;

namespace Murmur.Nats.Integration.Tests;

/// <summary>
/// The three-server cluster that test.sh starts (tests/servers.sh). Fault tests kill and restart its
/// servers; a restarted server rewrites its pid file, so test.sh still stops exactly what runs.
/// </summary>
public static class NatsCluster
{
    public static string Url => Environment.GetEnvironmentVariable("MURMUR_NATS_URL")
        ?? throw new InvalidOperationException("MURMUR_NATS_URL is not set: run ./test.sh, which starts a nats-server cluster for these tests.");

    private static string Dir => Environment.GetEnvironmentVariable("MURMUR_NATS_DIR")
        ?? throw new InvalidOperationException("MURMUR_NATS_DIR is not set: run ./test.sh, which starts a nats-server cluster for these tests.");

    /// <summary>The client port of server <paramref name="index"/> (1-based).</summary>
    public static string UrlOf(int index) => Url.Split(',')[index - 1];

    /// <summary>A fixed port a test uses (a secured server of its own), moved by <c>MURMUR_TEST_PORT_OFFSET</c> like the cluster's.</summary>
    public static int Shift(int port) => port + PortOffset;

    /// <summary>The monitoring endpoint (<c>http://…</c>) of server <paramref name="index"/> (1-based).</summary>
    public static string MonitorUrl(int index) => $"http://127.0.0.1:{28220 + PortOffset + index}";

    public static Task<NatsEventLog> ConnectAsync(string stream, int replicas = 3, int maxRecordBytes = LogGuard.DefaultMaxRecordBytes, string? url = null)
        => NatsEventLog.ConnectAsync(Options(stream, replicas) with { Url = url ?? Url, MaxRecordBytes = maxRecordBytes });

    /// <summary>A log on the test cluster in a stream of its own (subjects prefixed by the stream's name).</summary>
    public static NatsEventLogOptions Options(string stream, int replicas = 3) => new()
    {
        Url = Url,
        StreamName = stream,
        SubjectPrefix = stream.ToLowerInvariant(),
        Replicas = replicas,
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>Deletes a stream if it exists, so a test that measures starts from an empty one (as in a clean run).</summary>
    public static async Task DeleteStreamAsync(string stream)
    {
        await using var connection = new NATS.Client.Core.NatsConnection(NATS.Client.Core.NatsOpts.Default with { Url = Url });
        var js = new NATS.Client.JetStream.NatsJSContext(connection);
        try
        {
            await js.DeleteStreamAsync(stream);
        }
        catch (NATS.Client.JetStream.NatsJSApiException ex) when (ex.Error.Code == 404)
        {
        }
    }

    /// <summary>Kills server n<paramref name="index"/> (SIGKILL) and waits until it is gone.</summary>
    public static void Kill(int index)
    {
        using var process = Process.GetProcessById(PidOf(index));
        process.Kill();
        process.WaitForExit(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// Stops all three servers at the same moment — one <c>kill</c> command signals every pid — with SIGTERM
    /// (<paramref name="kill"/> false: a graceful shutdown that flushes the stores) or SIGKILL, and waits until all
    /// three are gone.
    /// </summary>
    public static void StopAll(bool kill)
    {
        var processes = Enumerable.Range(1, 3).Select(i => Process.GetProcessById(PidOf(i))).ToList();
        try
        {
            using var signal = Process.Start(new ProcessStartInfo("kill", [kill ? "-KILL" : "-TERM", .. processes.Select(p => p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))])
            {
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException("could not run kill");
            signal.WaitForExit();
            if (signal.ExitCode != 0)
            {
                throw new InvalidOperationException($"kill exited with {signal.ExitCode}");
            }
            foreach (var process in processes)
            {
                if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
                {
                    throw new TimeoutException($"nats-server {process.Id} did not exit within 60 s of the signal");
                }
            }
        }
        finally
        {
            processes.ForEach(p => p.Dispose());
        }
    }

    /// <summary>
    /// Starts all three servers again with their configurations without waiting for them: a test waits for what it
    /// needs (an acknowledged append, which the log retries while the cluster elects its leaders).
    /// </summary>
    public static void StartAll()
    {
        for (var i = 1; i <= 3; i++)
        {
            Start(i); // the server outlives this test; test.sh stops it by its pid file
        }
    }

    private static int PidOf(int index)
        => int.Parse(File.ReadAllText(Path.Combine(Dir, $"n{index}.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    // The servers this process started, by index, with what they wrote to stdout/stderr (for a start that fails).
    private static readonly Process?[] Started = new Process?[4];
    private static readonly System.Text.StringBuilder?[] Output = new System.Text.StringBuilder?[4];

    private static Process Start(int index)
    {
        var conf = Path.Combine(Dir, $"n{index}.conf");
        var process = new Process
        {
            StartInfo = new ProcessStartInfo("nats-server", ["-c", conf, "-l", Path.Combine(Dir, $"n{index}.log")])
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            },
        };
        var output = new System.Text.StringBuilder();
        void Append(object? sender, DataReceivedEventArgs e)
        {
            lock (output)
            {
                if (e.Data is { } line && output.Length < 4096)
                {
                    output.AppendLine(line);
                }
            }
        }
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        if (!process.Start())
        {
            throw new InvalidOperationException("could not start nats-server");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (Started)
        {
            Started[index]?.Dispose();
            Started[index] = process;
            Output[index] = output;
        }
        return process;
    }

    /// <summary>Starts server n<paramref name="index"/> again with its configuration and waits until it is healthy.</summary>
    public static async Task RestartAsync(int index)
    {
        Start(index); // the server outlives this test; test.sh stops it by its pid file
        await WaitHealthyAsync(index);
    }

    /// <summary>
    /// Waits until every server's <c>/healthz</c> answers OK (its JetStream assets are current), so the next test finds
    /// the cluster as test.sh left it. The monitoring endpoint has no notification to wait on, hence the polling.
    /// </summary>
    public static async Task WaitAllHealthyAsync()
    {
        for (var i = 1; i <= 3; i++)
        {
            await WaitHealthyAsync(i);
        }
    }

    /// <summary>tests/servers.sh's <c>MURMUR_TEST_PORT_OFFSET</c>: every port of the test cluster moved by it.</summary>
    private static int PortOffset => int.TryParse(Environment.GetEnvironmentVariable("MURMUR_TEST_PORT_OFFSET"), out var offset) ? offset : 0;

    /// <summary>
    /// Polls server n<paramref name="index"/>'s <c>/healthz</c> for up to 60 s. A server this process started that
    /// exited, or that does not even open its monitoring port for 15 s, is started again (at most twice): on this
    /// shared machine a restarted nats-server 2.9.10 was seen, rarely, to write nothing and never come up, which is the
    /// test cluster failing, not the code under test. Each such start is written to stderr with what the server printed.
    /// </summary>
    private static async Task WaitHealthyAsync(int index)
    {
        var httpPort = 28220 + PortOffset + index;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var unreachableSince = DateTime.UtcNow;
        var restarts = 0;
        var last = "no answer";
        while (true)
        {
            try
            {
                var response = await http.GetAsync(new Uri($"http://127.0.0.1:{httpPort}/healthz"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
                unreachableSince = DateTime.UtcNow;
                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            catch (TaskCanceledException)
            {
                last = "no answer within 2 s";
            }
            Process? process;
            string printed;
            lock (Started)
            {
                process = Started[index];
                printed = Output[index] is { } output ? output.ToString() : string.Empty;
            }
            var exited = process is { HasExited: true };
            if (process is not null && restarts < 2 && (exited || DateTime.UtcNow - unreachableSince > TimeSpan.FromSeconds(15)))
            {
                await Console.Error.WriteLineAsync(
                    $"nats-server n{index} (pid {process.Id}) {(exited ? $"exited with code {process.ExitCode}" : "did not open its monitoring port in 15 s")}; starting it again. It printed: {printed}");
                if (!exited)
                {
                    process.Kill();
                    process.WaitForExit(TimeSpan.FromSeconds(30));
                }
                restarts++;
                Start(index);
                unreachableSince = DateTime.UtcNow;
                deadline = DateTime.UtcNow.AddSeconds(60);
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"nats-server n{index} did not become healthy after a restart (last: {last}; started again {restarts} time(s); it printed: {printed})");
            }
            await Task.Delay(100);
        }
    }
}
