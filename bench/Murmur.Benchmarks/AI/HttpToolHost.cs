using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace Murmur.Benchmarks.AI;

/// <summary>
/// The latency-trap tool in a separate ASP.NET Core process (bench/Murmur.ToolServer, built alongside this project)
/// bound to 127.0.0.1:34280; started as a child process and killed by its pid at the end.
/// </summary>
internal sealed class HttpToolHost : IAsyncDisposable
{
    private const int Port = 34280;
    private readonly Process _process;
    private readonly HttpClient _http;

    private HttpToolHost(Process process)
    {
        _process = process;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{Port}"),
            Timeout = TimeSpan.FromSeconds(10),
        };
    }

    public static async Task<HttpToolHost> StartAsync()
    {
        var dll = FindToolServer();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{Port}");
        var process = ChildProcesses.Start(start);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                Console.Error.WriteLine($"# tool-server: {line}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new HttpToolHost(process);
        try
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"the tool server exited with {process.ExitCode}");
                }
                try
                {
                    using var response = await host._http.GetAsync(new Uri("/healthz", UriKind.Relative));
                    if (response.IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }
                if (deadline.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException("the tool server did not answer /healthz in 30 s");
                }
                await Task.Delay(100);
            }
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private static string FindToolServer()
    {
        var configuration = typeof(HttpToolHost).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "Murmur.ToolServer", "bin", configuration, "net10.0", "Murmur.ToolServer.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException($"Murmur.ToolServer.dll ({configuration}) not found; build bench/Murmur.ToolServer first");
    }

    /// <summary>The tool as the agent sees it: one GET, one answer.</summary>
    public async Task<int> CallAsync(int n)
    {
        var text = await _http.GetStringAsync(new Uri($"/tools/noop?n={n}", UriKind.Relative));
        return int.Parse(text, CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        ChildProcesses.Forget(_process);
        _process.Dispose();
    }
}
