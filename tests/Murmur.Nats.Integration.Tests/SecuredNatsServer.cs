using System.Diagnostics;

namespace Murmur.Nats.Integration.Tests;

/// <summary>
/// A single JetStream nats-server on a loopback port with an extra configuration block (authorization, TLS), started
/// for one test and stopped after it. It is ready when it logs "Server is ready".
/// </summary>
internal sealed class SecuredNatsServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private readonly bool _ownsDir;

    private SecuredNatsServer(Process process, string dir, int port, bool ownsDir)
    {
        _process = process;
        _dir = dir;
        _ownsDir = ownsDir;
        Port = port;
    }

    public int Port { get; }

    public string Dir => _dir;

    public static async Task<SecuredNatsServer> StartAsync(int port, Func<string, string> block)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"murmur-secured-nats-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var conf = Path.Combine(dir, "server.conf");
        await File.WriteAllTextAsync(conf, $$"""
            listen: 127.0.0.1:{{port}}
            max_payload: 4MB
            jetstream { store_dir: "{{Path.Combine(dir, "js")}}" }
            {{block(dir)}}
            """);
        return await LaunchAsync(conf, dir, port, ownsDir: true);
    }

    /// <summary>Starts nats-server as <c>nats-server -js</c> does: JetStream on, every other setting (max_payload 1 MiB) the default.</summary>
    public static async Task<SecuredNatsServer> StartStockAsync(int port)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"murmur-stock-nats-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var conf = Path.Combine(dir, "server.conf");
        await File.WriteAllTextAsync(conf, $$"""
            listen: 127.0.0.1:{{port}}
            jetstream { store_dir: "{{Path.Combine(dir, "js")}}" }
            """);
        return await LaunchAsync(conf, dir, port, ownsDir: true);
    }

    /// <summary>Starts nats-server with a configuration file someone else wrote (its directory is left in place).</summary>
    public static Task<SecuredNatsServer> StartFromAsync(string conf, int port) => LaunchAsync(conf, Path.GetDirectoryName(conf)!, port, ownsDir: false);

    private static async Task<SecuredNatsServer> LaunchAsync(string conf, string dir, int port, bool ownsDir)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Text.StringBuilder();
        var process = new Process { StartInfo = new ProcessStartInfo("nats-server", ["-c", conf]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false } };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (log)
            {
                log.AppendLine(e.Data);
            }
            if (e.Data?.Contains("Server is ready", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"nats-server exited: {log}"));
        process.EnableRaisingEvents = true;
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var server = new SecuredNatsServer(process, dir, port, ownsDir);
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        _process.Dispose();
        if (_ownsDir)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
