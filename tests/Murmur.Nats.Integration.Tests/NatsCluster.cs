using System.Diagnostics;

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

    public static Task<NatsEventLog> ConnectAsync(string stream, int replicas = 3, int maxRecordBytes = LogGuard.DefaultMaxRecordBytes, string? url = null)
        => NatsEventLog.ConnectAsync(new NatsEventLogOptions
        {
            Url = url ?? Url,
            StreamName = stream,
            SubjectPrefix = stream.ToLowerInvariant(),
            Replicas = replicas,
            MaxRecordBytes = maxRecordBytes,
            RequestTimeout = TimeSpan.FromSeconds(10),
        });

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
            Start(i).Dispose(); // the server outlives this handle; test.sh stops it by its pid file
        }
    }

    private static int PidOf(int index)
        => int.Parse(File.ReadAllText(Path.Combine(Dir, $"n{index}.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    private static Process Start(int index)
    {
        var conf = Path.Combine(Dir, $"n{index}.conf");
        return Process.Start(new ProcessStartInfo("nats-server", ["-c", conf, "-l", Path.Combine(Dir, $"n{index}.log")])
        {
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("could not start nats-server");
    }

    /// <summary>Starts server n<paramref name="index"/> again with its configuration and waits until it is healthy.</summary>
    public static async Task RestartAsync(int index)
    {
        Start(index).Dispose(); // the server outlives this handle; test.sh stops it by its pid file
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

    private static async Task WaitHealthyAsync(int index)
    {
        var httpPort = 28220 + index;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                var response = await http.GetAsync(new Uri($"http://127.0.0.1:{httpPort}/healthz"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"nats-server n{index} did not become healthy after a restart");
            }
            await Task.Delay(100);
        }
    }
}
