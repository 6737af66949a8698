using System.Diagnostics;

namespace Murmur.Nats.Integration.Tests;

/// <summary>A Murmur.TestNode <c>tool-host</c> process: started, waited for ("ready"), killed by itself or stopped through its stdin.</summary>
internal sealed class ToolHostProcess : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _lines = [];
    private readonly Task<string> _stderr;
    private readonly Task _stdout;

    private ToolHostProcess(Process process)
    {
        _process = process;
        _stderr = process.StandardError.ReadToEndAsync();
        _stdout = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (_lines)
                {
                    _lines.Add(line);
                }
                if (line == "ready")
                {
                    _ready.TrySetResult();
                }
            }
            _ready.TrySetException(new InvalidOperationException("the tool host exited before it was ready"));
        });
    }

    public static async Task<ToolHostProcess> StartAsync(string stream, string nodeId, string effects, string crashAt)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Murmur.TestNode.dll");
        var start = new ProcessStartInfo("dotnet", ["exec", dll, "tool-host", NatsCluster.Url, stream, nodeId, effects, crashAt])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var host = new ToolHostProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start the tool host"));
        try
        {
            await host._ready.Task.WaitAsync(Patience);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            host.Dispose();
            throw new InvalidOperationException($"tool host {nodeId} ({crashAt}) did not become ready: {ex.Message}; stderr: {await host._stderr}", ex);
        }
        return host;
    }

    /// <summary>Waits until the process has died (it kills itself at its crash point) and returns its exit code.</summary>
    public async Task<int> WaitForDeathAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Patience);
        return _process.ExitCode;
    }

    /// <summary>Closes stdin (the host leaves the mesh and exits) and returns the stats line it prints.</summary>
    public async Task<string> StopAsync()
    {
        _process.StandardInput.Close();
        await _process.WaitForExitAsync().WaitAsync(Patience);
        await _stdout.WaitAsync(Patience);
        Assert.True(_process.ExitCode == 0, $"tool host exited with {_process.ExitCode}: {await _stderr}");
        lock (_lines)
        {
            return _lines[^1];
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}
