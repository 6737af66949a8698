using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Murmur.Benchmarks;

/// <summary>
/// Child processes (nats-server, the tool server) that a bench started: killed by their pid when the bench is
/// interrupted (Ctrl+C) or exits without disposing them, so none outlive the run.
/// </summary>
internal static class ChildProcesses
{
    private static readonly HashSet<Process> Started = [];
    private static readonly HashSet<string> Directories = new(StringComparer.Ordinal);
    private static readonly List<PosixSignalRegistration> Signals = [];
    private static int _hooked;

    public static Process Start(ProcessStartInfo start)
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
        {
            // The handlers do not cancel the signal: the bench still terminates, without its children.
            foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT })
            {
                Signals.Add(PosixSignalRegistration.Create(signal, _ => KillAll()));
            }
            AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        lock (Started)
        {
            Started.Add(process);
        }
        return process;
    }

    /// <summary>A scratch directory of the children, deleted with them on an interrupted run.</summary>
    public static void TrackDirectory(string path)
    {
        lock (Started)
        {
            Directories.Add(path);
        }
    }

    public static void ForgetDirectory(string path)
    {
        lock (Started)
        {
            Directories.Remove(path);
        }
    }

    public static void Forget(Process process)
    {
        lock (Started)
        {
            Started.Remove(process);
        }
    }

    private static void KillAll()
    {
        Process[] processes;
        string[] directories;
        lock (Started)
        {
            processes = [.. Started];
            directories = [.. Directories];
            Started.Clear();
            Directories.Clear();
        }
        foreach (var process in processes)
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
        }
        foreach (var process in processes)
        {
            process.WaitForExit(TimeSpan.FromSeconds(2));
        }
        foreach (var directory in directories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // best effort
            }
        }
    }
}
