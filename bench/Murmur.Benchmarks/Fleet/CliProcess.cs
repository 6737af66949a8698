using System.Diagnostics;
using System.Reflection;

namespace Murmur.Benchmarks.Fleet;

/// <summary>
/// A <c>murmur</c> command of this build (src/Murmur.Cli, built with the bench) run as a child process, its stdout and
/// stderr lines kept so the bench can wait for the line it expects; killed by its pid when disposed.
/// </summary>
internal sealed class CliProcess : IAsyncDisposable
{
    private static readonly Lazy<string> Dll = new(FindCli);
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];
    private bool _closed;

    private CliProcess(string name, IEnumerable<string> args)
    {
        Name = name;
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Dll.Value);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        _process = ChildProcesses.Start(start);
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                OnLine(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>What the bench calls it in its messages (e.g. the node id).</summary>
    public string Name { get; }

    /// <summary>Runs <c>murmur ARGS</c>.</summary>
    public static CliProcess Start(string name, params string[] args) => new(name, args);

    /// <summary>The last lines it printed, stdout and stderr interleaved as they arrived.</summary>
    public string Tail(int count = 30)
    {
        lock (_lines)
        {
            return string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - count)).Select(l => $"  {Name}| {l}"));
        }
    }

    /// <summary>The first line (printed already, or later) that matches; fails naming what was printed when it times out or the process ends first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            if (_lines.Find(l => match(l)) is { } line)
            {
                return line;
            }
            if (_closed)
            {
                throw new InvalidOperationException($"murmur {Name} ended before {what}:\n{Tail()}");
            }
            _waiters.Add((match, found));
        }
        try
        {
            return await found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"murmur {Name}: not {what} within {timeout.TotalSeconds:0} s:\n{Tail()}");
        }
    }

    /// <summary>Waits for the process to end and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>Kills the process with SIGKILL (<see cref="Process.Kill()"/> on Unix): no handler, no goodbye.</summary>
    public void Kill() => _process.Kill();

    private void OnLine(string? line)
    {
        lock (_lines)
        {
            if (line is null)
            {
                // stdout closed: the process ended; nothing it did not print yet will come.
                _closed = true;
                foreach (var (_, waiter) in _waiters)
                {
                    waiter.TrySetException(new InvalidOperationException($"murmur {Name} ended (code {(_process.HasExited ? _process.ExitCode : -1)}):\n{TailLocked()}"));
                }
                _waiters.Clear();
                return;
            }
            _lines.Add(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    _waiters[i].Found.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private string TailLocked() => string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - 30)).Select(l => $"  {Name}| {l}"));

    private static string FindCli()
    {
        var configuration = typeof(CliProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Murmur.Cli", "bin", configuration, "net10.0", "Murmur.Cli.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException($"Murmur.Cli.dll ({configuration}) not found above {AppContext.BaseDirectory}; build src/Murmur.Cli first (the bench project builds it)");
    }

    public async ValueTask DisposeAsync()
    {
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
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"# murmur {Name} (pid {_process.Id}) did not exit");
        }
        ChildProcesses.Forget(_process);
        _process.Dispose();
    }
}
