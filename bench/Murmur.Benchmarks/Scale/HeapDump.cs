using System.Diagnostics;

namespace Murmur.Benchmarks.Scale;

/// <summary>
/// Where the bytes go: with <c>MURMUR_SCALE_GCDUMP=DIR</c>, a part writes a heap dump of this process at its
/// measuring point (<c>dotnet-gcdump collect</c>, the .NET diagnostics tool; <c>dotnet-gcdump report FILE</c> prints the
/// heap by type). docs/scale.md's breakdowns come from these dumps.
/// </summary>
internal static class HeapDump
{
    public static void CollectIfAsked(string part)
    {
        if (Environment.GetEnvironmentVariable("MURMUR_SCALE_GCDUMP") is not { Length: > 0 } dir)
        {
            return;
        }
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, $"{part}.gcdump");
        using var tool = Process.Start(new ProcessStartInfo("dotnet-gcdump", ["collect", "-p", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", file])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("dotnet-gcdump did not start (dotnet tool install -g dotnet-gcdump)");
        Console.Error.WriteLine(tool.StandardOutput.ReadToEnd().Trim());
        tool.WaitForExit();
    }
}
