using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Murmur.Mcp;

/// <summary>
/// A supervised connection to one MCP server and its tools as <see cref="AIFunction"/>s (<see cref="Tools"/>):
/// a stdio server is started as a child process and started again with backoff when it exits; an HTTP server's
/// session is opened again when it ends. Disposing stops the server.
/// </summary>
/// <remarks>
/// Thread-safe: tools may be called from several agents at once (the MCP client multiplexes requests). A call that
/// is in flight when the server exits is answered with an error at once (<see cref="McpToolException"/>); later calls
/// wait (at most <see cref="McpServerSpec.StartTimeout"/>) for the restarted server.
/// </remarks>
public sealed partial class McpToolSource : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private TaskCompletionSource<McpClient> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private McpClient? _client;
    private Task _supervision = Task.CompletedTask;
    private int _restarts;
    private string? _lastFailure;
    private int _disposed;

    private McpToolSource(McpServerSpec spec, ILoggerFactory? loggerFactory, TimeProvider? timeProvider)
    {
        Spec = spec;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("Murmur.Mcp");
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>What was attached.</summary>
    public McpServerSpec Spec { get; }

    /// <summary>The server's tools, named with <see cref="McpServerSpec.ToolPrefix"/>, as listed when it first started.</summary>
    public IReadOnlyList<McpTool> Tools { get; private set; } = [];

    /// <summary>The name and version the server reported, e.g. <c>secure-filesystem-server 0.2.0</c>.</summary>
    public string ServerInfo { get; private set; } = string.Empty;

    /// <summary>How many times the server was started again after it exited.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>True while a started server is connected.</summary>
    public bool IsConnected => _ready.Task.IsCompletedSuccessfully;

    /// <summary>
    /// Starts (stdio) or connects to (HTTP) the server, lists its tools and begins supervising it.
    /// </summary>
    /// <exception cref="McpToolException">The server could not be started or did not complete its handshake; the message says why.</exception>
    public static async Task<McpToolSource> ConnectAsync(McpServerSpec spec, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var source = new McpToolSource(spec, loggerFactory, timeProvider);
        try
        {
            var client = await source.StartAsync(cancellationToken).ConfigureAwait(false);
            var listed = await client.ListToolsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            source.Tools = [.. listed.Select(t => new McpTool(source, t.ProtocolTool))];
            var duplicate = source.Tools.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                throw new McpToolException($"MCP server '{spec.Name}' lists the tool '{duplicate.Key}' twice.");
            }
            source.Publish(client);
            source._supervision = Task.Run(() => source.SuperviseAsync(client));
            return source;
        }
        catch (Exception ex)
        {
            await source.DisposeAsync().ConfigureAwait(false);
            if (ex is McpToolException || (ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                throw;
            }
            throw new McpToolException($"could not start MCP server '{spec.Name}' ({spec.Target}): {Describe(ex)}", ex);
        }
    }

    /// <summary>Calls the server's tool <paramref name="serverToolName"/>; an error result or a failed call is a <see cref="McpToolException"/>.</summary>
    internal async Task<CallToolResult> CallAsync(string serverToolName, IReadOnlyDictionary<string, object?> arguments, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var client = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(Spec.CallTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, _stop.Token);
        try
        {
            return await client.CallToolAsync(serverToolName, arguments, cancellationToken: linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new McpToolException($"MCP server '{Spec.Name}' did not answer '{serverToolName}' within {Spec.CallTimeout.TotalSeconds:0.#} s.");
        }
        catch (Exception ex) when (ex is not McpToolException)
        {
            if (await SessionEndedAsync(client).ConfigureAwait(false))
            {
                throw new McpToolException($"MCP server '{Spec.Name}' exited during the call to '{serverToolName}' ({Describe(client.Completion.Result.Exception ?? ex)}); it is being restarted, the call was not retried.", ex);
            }
            throw new McpToolException($"MCP server '{Spec.Name}' failed the call to '{serverToolName}': {Describe(ex)}", ex);
        }
    }

    /// <summary>
    /// After a failed call: whether the session ended. A transport that closed completes the session right after it
    /// fails the pending calls, so this waits (briefly) for that; an ended session is withdrawn at once, so the caller's
    /// next call waits for the restarted server instead of reaching the dead one.
    /// </summary>
    private async Task<bool> SessionEndedAsync(McpClient client)
    {
        try
        {
            await client.Completion.WaitAsync(TimeSpan.FromSeconds(2), _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false; // the server answered with an error, or the call failed on its own: the session goes on
        }
        Withdraw(client);
        return true;
    }

    /// <summary>Stops handing out <paramref name="client"/> (its session ended); calls wait for the next one.</summary>
    private void Withdraw(McpClient client)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_client, client))
            {
                _client = null;
                _ready = new TaskCompletionSource<McpClient>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    private async Task<McpClient> CurrentAsync(CancellationToken cancellationToken)
    {
        var deadline = _time.GetTimestamp();
        while (true)
        {
            Task<McpClient> ready;
            lock (_gate)
            {
                ready = _ready.Task;
            }
            var remaining = Spec.StartTimeout - _time.GetElapsedTime(deadline);
            McpClient client;
            try
            {
                client = ready.IsCompletedSuccessfully ? ready.Result : await ready.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new McpToolException($"MCP server '{Spec.Name}' is not running: it is being restarted ({Restarts} restarts so far{(_lastFailure is null ? "" : "; last failure: " + _lastFailure)}).");
            }
            if (!client.Completion.IsCompleted)
            {
                return client;
            }
            Withdraw(client); // ended before the supervisor noticed: wait for the restarted one
        }
    }

    private async Task<McpClient> StartAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Spec.StartTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, _stop.Token);
        var options = new McpClientOptions
        {
            ClientInfo = new Implementation { Name = "murmur", Version = typeof(McpToolSource).Assembly.GetName().Version?.ToString(3) ?? "0" },
            InitializationTimeout = Spec.StartTimeout,
        };
        try
        {
            var client = await McpClient.CreateAsync(CreateTransport(), options, _loggerFactory, linked.Token).ConfigureAwait(false);
            ServerInfo = client.ServerInfo is { } info ? $"{info.Name} {info.Version}".Trim() : Spec.Name;
            return client;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new McpToolException($"MCP server '{Spec.Name}' ({Spec.Target}) did not complete its handshake within {Spec.StartTimeout.TotalSeconds:0.#} s.");
        }
    }

    private IClientTransport CreateTransport()
    {
        if (Spec.IsStdio)
        {
            var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (key, value) in Spec.Environment)
            {
                environment[key] = value;
            }
            return new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = Spec.Name,
                Command = Spec.Command!,
                Arguments = [.. Spec.Arguments],
                WorkingDirectory = Spec.WorkingDirectory,
                EnvironmentVariables = environment,
                ShutdownTimeout = TimeSpan.FromSeconds(2),
                StandardErrorLines = line => McpLogMessages.ServerStderr(_logger, Spec.Name, line),
            }, _loggerFactory);
        }
        return new HttpClientTransport(new HttpClientTransportOptions
        {
            Name = Spec.Name,
            Endpoint = Spec.Url!,
            TransportMode = HttpTransportMode.StreamableHttp,
            ConnectionTimeout = Spec.StartTimeout,
        }, _loggerFactory);
    }

    private void Publish(McpClient client)
    {
        lock (_gate)
        {
            _client = client;
            _ready.TrySetResult(client);
        }
    }

    /// <summary>Waits for the session to end, then starts the server again after a backoff, until disposed.</summary>
    private async Task SuperviseAsync(McpClient client)
    {
        var random = new Random();
        var failures = 0;
        var started = _time.GetTimestamp();
        while (!_stop.IsCancellationRequested)
        {
            var details = await client.Completion.WaitAsync(_stop.Token).ConfigureAwait(false);
            Withdraw(client);
            _lastFailure = Describe(details);
            McpLogMessages.ServerExited(_logger, Spec.Name, _lastFailure);
            await DisposeQuietlyAsync(client).ConfigureAwait(false);
            // A server that ran a while before it exited starts again at once; one that keeps failing waits longer each time.
            failures = _time.GetElapsedTime(started) > TimeSpan.FromSeconds(30) ? 1 : failures + 1;
            while (true)
            {
                await Task.Delay(Spec.Restart.DelayFor(failures, random), _time, _stop.Token).ConfigureAwait(false);
                try
                {
                    client = await StartAsync(_stop.Token).ConfigureAwait(false);
                    break;
                }
                catch (Exception ex) when (!_stop.IsCancellationRequested)
                {
                    _lastFailure = Describe(ex);
                    McpLogMessages.RestartFailed(_logger, Spec.Name, failures, _lastFailure);
                    failures++;
                }
            }
            Interlocked.Increment(ref _restarts);
            started = _time.GetTimestamp();
            McpLogMessages.ServerRestarted(_logger, Spec.Name, Restarts);
            Publish(client);
        }
    }

    private static async Task DisposeQuietlyAsync(McpClient client)
    {
        try
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The session already ended; what is left to close may fail, and nothing depends on it.
        }
    }

    private static string Describe(ClientCompletionDetails details) => details switch
    {
        StdioClientCompletionDetails stdio => $"exit code {stdio.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}"
            + (stdio.StandardErrorTail is { Count: > 0 } tail ? $", stderr: {string.Join(" | ", tail.TakeLast(3))}" : string.Empty),
        _ => details.Exception is { } ex ? Describe(ex) : "the session ended",
    };

    private static string Describe(Exception ex) => ex.InnerException is { } inner && ex.Message.Length < 8 ? inner.Message : ex.Message;

    /// <summary>Run once when the source is disposed: removes its tools from the node it was attached to.</summary>
    internal Action? Detach { get; set; }

    /// <summary>Stops supervising and stops the server (a stdio server's process is ended); tools attached to a node are removed from it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Detach?.Invoke();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _supervision.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        McpClient? client;
        lock (_gate)
        {
            client = _client;
            _client = null;
        }
        if (client is not null)
        {
            await DisposeQuietlyAsync(client).ConfigureAwait(false);
        }
        _stop.Dispose();
    }
}
