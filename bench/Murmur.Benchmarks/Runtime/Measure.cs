using System.Diagnostics;

namespace Murmur.Benchmarks.Runtime;

/// <summary>Heap and clock helpers shared by the runtime benches.</summary>
internal static class Measure
{
    /// <summary>The peers, in the order every bench measures them.</summary>
    public const string Murmur = "murmur";
    public const string Proto = "proto.actor";
    public const string Akka = "akka.net";

    /// <summary>
    /// The systems to measure, in order: all three, or those named in the comma-separated
    /// <c>MURMUR_BENCH_SYSTEMS</c> environment variable (for quick A/B runs of one system).
    /// </summary>
    public static string[] Systems { get; } = Environment.GetEnvironmentVariable("MURMUR_BENCH_SYSTEMS") is { Length: > 0 } only
        ? [.. new[] { Murmur, Proto, Akka }.Where(s => only.Split(',').Contains(s, StringComparer.Ordinal))]
        : [Murmur, Proto, Akka];

    /// <summary>A full, blocking, compacting collection, twice, so finalizable objects are gone too.</summary>
    public static void FullCollect()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>Live heap bytes after a full collection.</summary>
    public static long LiveBytes()
    {
        FullCollect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    public static double Seconds(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;

    /// <summary>Polls <paramref name="done"/> every millisecond until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task WaitUntilAsync(Func<bool> done, TimeSpan timeout, string what)
    {
        var start = Stopwatch.GetTimestamp();
        while (!done())
        {
            if (Stopwatch.GetElapsedTime(start) > timeout)
            {
                throw new TimeoutException($"{what} did not finish within {timeout.TotalSeconds} s.");
            }
            await Task.Delay(1).ConfigureAwait(false);
        }
    }

    public static void Note(string text) => Console.Error.WriteLine("# " + text);
}
