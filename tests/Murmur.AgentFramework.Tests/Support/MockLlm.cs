using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Murmur.AgentFramework.Tests.Support;

/// <summary>@dwmkerr/mock-llm (npm), an OpenAI-compatible mock server, on a free loopback port with Data/mock-llm.yaml; stopped on dispose.</summary>
internal sealed class MockLlm : IAsyncDisposable
{
    private readonly Process _process;

    private MockLlm(Process process, string endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    /// <summary>The OpenAI base address, <c>http://127.0.0.1:PORT/v1</c>.</summary>
    public string Endpoint { get; }

    public static async Task<MockLlm> StartAsync()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var info = new ProcessStartInfo(Npm.Node) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(Npm.Package("@dwmkerr/mock-llm"), "dist", "main.js"));
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Data", "mock-llm.yaml"));
        info.Environment["HOST"] = "127.0.0.1";
        info.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = Process.Start(info)!;
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("server running on", StringComparison.Ordinal) == true)
            {
                running.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await running.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return new MockLlm(process, $"http://127.0.0.1:{port}/v1");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
