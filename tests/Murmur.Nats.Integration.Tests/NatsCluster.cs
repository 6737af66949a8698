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

    /// <summary>Kills server n<paramref name="index"/> (SIGKILL) and waits until it is gone.</summary>
    public static void Kill(int index)
    {
        var pidFile = Path.Combine(Dir, $"n{index}.pid");
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.GetProcessById(pid);
        process.Kill();
        process.WaitForExit(TimeSpan.FromSeconds(30));
    }

    /// <summary>Starts server n<paramref name="index"/> again with its configuration and waits until it is healthy.</summary>
    public static async Task RestartAsync(int index)
    {
        var conf = Path.Combine(Dir, $"n{index}.conf");
        using var process = Process.Start(new ProcessStartInfo("nats-server", ["-c", conf, "-l", Path.Combine(Dir, $"n{index}.log")])
        {
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("could not start nats-server");
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
