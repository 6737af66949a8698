using System.Diagnostics;
using System.Text.Json;

namespace Murmur.Nats.Integration.Tests;

/// <summary>Two OS processes, two runtimes, one topic over NATS: both see the same events.</summary>
public sealed class TwoProcessTests
{
    private static async Task<JsonElement> RunNodeAsync(string stream, string topic, string agent, int count, int expect)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Murmur.TestNode.dll");
        var start = new ProcessStartInfo("dotnet", ["exec", dll, NatsCluster.Url, stream, topic, agent, count.ToString(System.Globalization.CultureInfo.InvariantCulture), expect.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the test node");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"test node {agent} did not finish: {await stderr}");
        }
        Assert.True(process.ExitCode == 0, $"test node {agent} exited with {process.ExitCode}: {await stderr}");
        return JsonDocument.Parse((await stdout).Trim()).RootElement;
    }

    [Fact]
    public async Task TwoProcesses_JoinOneTopic_AndSeeTheSameEvents()
    {
        const int PerNode = 200;
        var topic = $"twoproc-{Guid.NewGuid():N}";
        const int Expect = 2 + (2 * PerNode);
        var results = await Task.WhenAll(
            RunNodeAsync("MURMUR_TWOPROC", topic, "Left", PerNode, Expect),
            RunNodeAsync("MURMUR_TWOPROC", topic, "Right", PerNode, Expect));
        var left = results[0];
        var right = results[1];
        static List<string> Ids(JsonElement r) => [.. r.GetProperty("history").EnumerateArray().Select(e => e[0].GetString()!)];
        Assert.Equal(Expect, Ids(left).Count);
        Assert.Equal(Ids(left).Order(), Ids(right).Order());
        Assert.Equal(left.GetProperty("roster").EnumerateArray().Select(m => m.GetString()), right.GetProperty("roster").EnumerateArray().Select(m => m.GetString()));
        // Same clocks for the same event ids on both processes.
        var leftClocks = left.GetProperty("history").EnumerateArray().ToDictionary(e => e[0].GetString()!, e => e[1].GetString());
        foreach (var e in right.GetProperty("history").EnumerateArray())
        {
            Assert.Equal(leftClocks[e[0].GetString()!], e[1].GetString());
        }
    }
}
