using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Murmur.Benchmarks.Log;

/// <summary>
/// nats-server processes started by a benchmark on its own loopback ports (34221… by default; the test script uses
/// 24221–28223) with their own temporary store directories; stopped by the pids of the processes it started.
/// </summary>
internal sealed class NatsServers : IAsyncDisposable
{
    private readonly List<Process> _processes = [];
    private readonly string _dir;
    private readonly int[] _clientPorts;
    private readonly int[] _httpPorts;

    private NatsServers(string dir, int[] clientPorts, int[] httpPorts)
    {
        _dir = dir;
        _clientPorts = clientPorts;
        _httpPorts = httpPorts;
    }

    /// <summary>The CPU time used so far by all servers.</summary>
    public TimeSpan ProcessorTime => _processes.Aggregate(TimeSpan.Zero, (sum, p) =>
    {
        p.Refresh();
        return sum + p.TotalProcessorTime;
    });

    /// <summary>Comma-separated client URLs of all servers.</summary>
    public string Url => string.Join(',', _clientPorts.Select(p => string.Create(CultureInfo.InvariantCulture, $"nats://127.0.0.1:{p}")));

    /// <summary>
    /// Starts <paramref name="count"/> servers (a cluster when more than one) with JetStream when asked, and waits
    /// for /healthz and, for a JetStream cluster, a meta leader in /jsz.
    /// </summary>
    public static async Task<NatsServers> StartAsync(int count, int clientBase, int clusterBase, int httpBase, bool jetStream, string executable = "/usr/sbin/nats-server")
    {
        if (!File.Exists(executable))
        {
            executable = "nats-server";
        }
        var clientPorts = Enumerable.Range(clientBase, count).ToArray();
        var clusterPorts = Enumerable.Range(clusterBase, count).ToArray();
        var httpPorts = Enumerable.Range(httpBase, count).ToArray();
        foreach (var port in clientPorts.Concat(count > 1 ? clusterPorts : []).Concat(httpPorts))
        {
            if (PortInUse(port))
            {
                throw new InvalidOperationException($"port {port} is already in use on 127.0.0.1: stop whatever listens there and run again");
            }
        }
        var dir = Path.Combine(Path.GetTempPath(), $"murmur-bench-nats-{Environment.ProcessId}-{clientBase}");
        Directory.CreateDirectory(dir);
        ChildProcesses.TrackDirectory(dir);
        var servers = new NatsServers(dir, clientPorts, httpPorts);
        try
        {
            var routes = string.Join(", ", clusterPorts.Select(p => string.Create(CultureInfo.InvariantCulture, $"\"nats-route://127.0.0.1:{p}\"")));
            for (var i = 0; i < count; i++)
            {
                var conf = new StringBuilder();
                conf.AppendLine(CultureInfo.InvariantCulture, $"server_name: b{i + 1}");
                conf.AppendLine(CultureInfo.InvariantCulture, $"listen: 127.0.0.1:{clientPorts[i]}");
                conf.AppendLine(CultureInfo.InvariantCulture, $"http: 127.0.0.1:{httpPorts[i]}");
                conf.AppendLine("max_payload: 4MB");
                conf.AppendLine(CultureInfo.InvariantCulture, $"pid_file: \"{Path.Combine(dir, $"b{i + 1}.pid")}\"");
                if (jetStream)
                {
                    conf.AppendLine(CultureInfo.InvariantCulture, $"jetstream {{ store_dir: \"{Path.Combine(dir, $"js{i + 1}")}\" }}");
                }
                if (count > 1)
                {
                    conf.AppendLine(CultureInfo.InvariantCulture, $"cluster {{ name: murmur-bench, listen: 127.0.0.1:{clusterPorts[i]}, routes: [{routes}] }}");
                }
                var confPath = Path.Combine(dir, $"b{i + 1}.conf");
                await File.WriteAllTextAsync(confPath, conf.ToString());
                var start = new ProcessStartInfo(executable)
                {
                    UseShellExecute = false,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                };
                start.ArgumentList.Add("-c");
                start.ArgumentList.Add(confPath);
                start.ArgumentList.Add("-l");
                start.ArgumentList.Add(Path.Combine(dir, $"b{i + 1}.log"));
                servers._processes.Add(ChildProcesses.Start(start));
            }
            await servers.WaitReadyAsync(jetStream && count > 1);
            return servers;
        }
        catch
        {
            await servers.DisposeAsync();
            throw;
        }
    }

    private static bool PortInUse(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task WaitReadyAsync(bool metaLeader)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        foreach (var port in _httpPorts)
        {
            while (true)
            {
                if (_processes.FirstOrDefault(p => p.HasExited) is { } dead)
                {
                    throw new InvalidOperationException($"nats-server (pid {dead.Id}) exited with {dead.ExitCode}; see the logs in {_dir}");
                }
                try
                {
                    using var health = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz"));
                    if (health.IsSuccessStatusCode
                        && (!metaLeader || (await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/jsz"))).Contains("\"leader\"", StringComparison.Ordinal)))
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }
                catch (TaskCanceledException)
                {
                    // slow answer
                }
                if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException($"nats-server on http port {port} did not become ready in 60 s; see the logs in {_dir}");
                }
                await Task.Delay(200);
            }
        }
    }

    /// <summary>Stops the servers this instance started (by pid) and deletes their store directories.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
        }
        foreach (var process in _processes)
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"# nats-server pid {process.Id} did not exit");
            }
            ChildProcesses.Forget(process);
            process.Dispose();
        }
        _processes.Clear();
        try
        {
            Directory.Delete(_dir, recursive: true);
            ChildProcesses.ForgetDirectory(_dir);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
