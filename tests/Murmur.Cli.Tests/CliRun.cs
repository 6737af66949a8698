using System.Diagnostics;
using System.Reflection;

namespace Murmur.Cli.Tests;

/// <summary>Runs murmur in-process (or as a process) against a temporary file.</summary>
internal sealed class CliRun : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("murmur-cli-").FullName;

    public string File(params string[] lines)
    {
        var path = Path.Combine(_directory, $"events{Directory.GetFiles(_directory).Length}.jsonl");
        System.IO.File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    public static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = CommandLine.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    public static (int Exit, string Stdout, string Stderr) RunProcess(params string[] args)
    {
        var dll = typeof(CliRun).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MurmurDll").Value!;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
