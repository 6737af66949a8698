using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Murmur.Mcp.Tests.Support;

/// <summary>A server from npm run by node on a free loopback port, ready once it printed a line; killed on dispose.</summary>
internal sealed class NodeServer : IAsyncDisposable
{
    private readonly Process _process;

    private NodeServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>server-everything on Streamable HTTP; its endpoint is <c>http://127.0.0.1:PORT/mcp</c>.</summary>
    public static Task<NodeServer> EverythingHttpAsync()
        => StartAsync([Npm.EverythingServer, "streamableHttp"], port => new() { ["PORT"] = port }, "listening on port");

    /// <summary>@dwmkerr/mock-llm, an OpenAI-compatible mock, with the rules in <paramref name="config"/>; its base address is <c>http://127.0.0.1:PORT/v1</c>.</summary>
    public static Task<NodeServer> MockLlmAsync(string config)
        => StartAsync([Path.Combine(Npm.Package("@dwmkerr/mock-llm"), "dist", "main.js"), "--config", config], port => new() { ["HOST"] = "127.0.0.1", ["PORT"] = port }, "server running on");

    private static async Task<NodeServer> StartAsync(IReadOnlyList<string> args, Func<string, Dictionary<string, string>> environment, string ready)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var info = new ProcessStartInfo(Npm.Node) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment(port.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            info.Environment[key] = value;
        }
        var process = Process.Start(info)!;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Watch(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data?.Contains(ready, StringComparison.Ordinal) == true)
            {
                started.TrySetResult();
            }
        }
        process.OutputDataReceived += Watch;
        process.ErrorDataReceived += Watch;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return new NodeServer(process, port);
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
