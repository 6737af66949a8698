using System.Diagnostics;
using System.Reflection;

namespace Murmur.Cli.Tests;

/// <summary>`murmur` as a .NET tool: packed to a local folder, installed from it offline, run by its command name.</summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("murmur-tool-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Metadata(string key) => typeof(ToolPackageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private static (int Exit, string Output) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [Fact]
    public void PackedToAFolder_InstalledFromItOffline_TheMurmurCommandRuns()
    {
        var packages = Path.Combine(_dir, "packages");
        var tools = Path.Combine(_dir, "tools");
        // --no-build: the test project built the CLI already (in this configuration).
        var (packed, packOutput) = Run("dotnet", "pack", Metadata("MurmurCliProject"), "-c", Metadata("Configuration"), "--no-build", "-o", packages, "-nologo", "-v", "quiet");
        Assert.True(packed == 0, packOutput);
        // Only the local folder as a package source: the install must not need the network.
        var config = Path.Combine(_dir, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        var (installed, installOutput) = Run("dotnet", "tool", "install", "Murmur.Cli", "--tool-path", tools, "--configfile", config);
        Assert.True(installed == 0, installOutput);

        var (exit, help) = Run(Path.Combine(tools, "murmur"), "--help");

        Assert.Equal(0, exit);
        Assert.Contains("murmur [command] [options]", help, StringComparison.Ordinal);
        Assert.Contains("approvals", help, StringComparison.Ordinal);
        Assert.Contains("'tool call'", help, StringComparison.Ordinal);
    }
}
