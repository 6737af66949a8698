using System.Diagnostics;
using System.Reflection;
using Murmur.Cli.Commands;

namespace Murmur.Cli.Tests;

/// <summary>Runs murmur in-process (or as a process) against a temporary file.</summary>
internal sealed class CliRun : IDisposable
{
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("murmur-cli-").FullName;

    public string File(params string[] lines)
    {
        var path = Path.Combine(_directory, $"events{System.IO.Directory.GetFiles(_directory).Length}.jsonl");
        System.IO.File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    /// <summary>A path in the temporary directory (nothing is created).</summary>
    public string Output(string name) => Path.Combine(_directory, name);

    /// <summary>A new sub-directory of the temporary directory.</summary>
    public string Directory(string name) => System.IO.Directory.CreateDirectory(Path.Combine(_directory, name)).FullName;

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

    public void Dispose() => System.IO.Directory.Delete(_directory, recursive: true);
}
