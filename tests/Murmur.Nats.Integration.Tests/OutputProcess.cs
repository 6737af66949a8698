using System.Diagnostics;

namespace Murmur.Nats.Integration.Tests;

/// <summary>
/// A process of this build (the murmur command or Murmur.TestNode) whose stdout and stderr lines are collected, so a
/// test can wait for a line it expects; killed with its children when disposed.
/// </summary>
internal sealed class OutputProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    private OutputProcess(string dll, IEnumerable<string> args)
    {
        _process = new Process
        {
            StartInfo = new ProcessStartInfo("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, dll), .. args])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Runs <c>murmur ARGS</c>.</summary>
    public static OutputProcess Murmur(params string[] args) => new("Murmur.Cli.dll", args);

    /// <summary>Runs <c>Murmur.TestNode ARGS</c>.</summary>
    public static OutputProcess TestNode(params string[] args) => new("Murmur.TestNode.dll", args);

    /// <summary>Everything printed so far, stdout and stderr interleaved as they arrived.</summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>Sends a POSIX signal (e.g. <c>KILL</c>, <c>STOP</c>, <c>CONT</c>) to the process, as <c>kill -SIG PID</c> does.</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("could not run kill");
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>The first line (printed already, or later) that matches; times out naming what was printed.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            if (_lines.Find(l => match(l)) is { } line)
            {
                return line;
            }
            _waiters.Add((match, found));
        }
        try
        {
            return await found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no expected line within {timeout.TotalSeconds:0} s; the process printed:\n{Output}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_lines)
        {
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

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(30));
        }
        _process.Dispose();
    }
}
