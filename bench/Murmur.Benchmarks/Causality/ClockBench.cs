using System.Diagnostics;
using Murmur.Causality;

namespace Murmur.Benchmarks.Causality;

/// <summary>Nanoseconds per VectorClock increment, merge and compare for rosters of 4 to 1024 members.</summary>
internal sealed class ClockBench : IBench
{
    private static readonly int[] Sizes = [4, 16, 64, 1024];

    public string Name => "clock";

    public Task RunAsync(BenchContext context)
    {
        var random = new Random(42);
        foreach (var members in Sizes)
        {
            var a = RandomClock(random, members);
            // b differs from a only in its last entry, so Compare must scan the whole clock (its worst case).
            var b = a.Increment(members - 1);
            // Same total work per size: fewer iterations for long clocks.
            var iterations = (context.Quick ? 4_000_000 : 40_000_000) / members;
            // ...but enough calls that every round runs fully optimised code.
            iterations = Math.Max(iterations, context.Quick ? 20_000 : 200_000);

            Report(context, "ns_increment", members, Best(() => Increment(a, members, iterations)));
            Report(context, "ns_merge", members, Best(() => Merge(a, b, iterations)));
            Report(context, "ns_compare", members, Best(() => Compare(a, b, iterations)));
        }
        return Task.CompletedTask;
    }

    private static void Report(BenchContext context, string metric, int members, double ns)
        => context.Report("clock", "murmur", metric, ns, "ns", ("members", members));

    private static VectorClock RandomClock(Random random, int members)
    {
        var entries = new ulong[members];
        for (var i = 0; i < members; i++)
        {
            entries[i] = (ulong)random.Next(1000);
        }
        return VectorClock.FromEntries(entries);
    }

    // One explicit loop per operation (no delegate per call), timed over several rounds; the best round counts,
    // so tiered JIT compilation and the other load on the shared machine are left out.
    private static double Best(Func<double> round)
    {
        var best = double.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            best = Math.Min(best, round());
        }
        return best;
    }

    private static double Increment(VectorClock a, int members, int iterations)
    {
        var start = Stopwatch.GetTimestamp();
        var index = 0;
        var sink = a;
        for (var i = 0; i < iterations; i++)
        {
            sink = a.Increment(index);
            index = index + 1 == members ? 0 : index + 1;
        }
        var ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / iterations;
        GC.KeepAlive(sink.Length);
        return ns;
    }

    private static double Merge(VectorClock a, VectorClock b, int iterations)
    {
        var start = Stopwatch.GetTimestamp();
        var sink = a;
        for (var i = 0; i < iterations; i++)
        {
            sink = a.Merge(b);
        }
        var ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / iterations;
        GC.KeepAlive(sink.Length);
        return ns;
    }

    private static double Compare(VectorClock a, VectorClock b, int iterations)
    {
        var start = Stopwatch.GetTimestamp();
        var concurrent = 0;
        for (var i = 0; i < iterations; i++)
        {
            concurrent += a.Compare(b) == ClockOrder.Concurrent ? 1 : 0;
        }
        var ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / iterations;
        GC.KeepAlive(concurrent);
        return ns;
    }
}
