using CsCheck;
using Murmur.Causality;

namespace Murmur.Tests.Causality;

/// <summary>
/// Mattern's characterisation (1989): for events e and f of a space-time diagram, e → f (Lamport's happened-before:
/// the transitive closure of program order and send → receive) exactly when V(e) &lt; V(f).
/// </summary>
public sealed class HappenedBeforeTests
{
    [Fact]
    public void RandomSpaceTimeDiagrams_ClockOrderEqualsHappenedBefore()
        => Gen.Select(Gen.Int[1, 4], Gen.Int[1, 30], Gen.Int).Sample((processes, steps, seed) =>
        {
            var random = new Random(seed);
            var clocks = Enumerable.Repeat(VectorClock.Empty, processes).ToArray();
            var last = Enumerable.Repeat(-1, processes).ToArray();
            var stamps = new List<VectorClock>();
            var edges = new List<(int From, int To)>();
            var inFlight = new List<(int Send, int To, VectorClock Stamp)>();
            for (var step = 0; step < steps; step++)
            {
                var p = random.Next(processes);
                var kind = random.Next(3); // 0 local, 1 send, 2 receive
                VectorClock stamp;
                int? sendEvent = null;
                var receivable = inFlight.FindIndex(m => m.To == p);
                if (kind == 2 && receivable >= 0)
                {
                    var message = inFlight[receivable];
                    inFlight.RemoveAt(receivable);
                    stamp = clocks[p].Merge(message.Stamp).Increment(p);
                    sendEvent = message.Send;
                }
                else
                {
                    stamp = clocks[p].Increment(p);
                }
                var id = stamps.Count;
                stamps.Add(stamp);
                clocks[p] = stamp;
                if (last[p] >= 0)
                {
                    edges.Add((last[p], id));
                }
                last[p] = id;
                if (sendEvent is { } s)
                {
                    edges.Add((s, id));
                }
                if (kind == 1)
                {
                    inFlight.Add((id, random.Next(processes), stamp));
                }
            }

            var n = stamps.Count;
            var reach = new bool[n, n];
            foreach (var (from, to) in edges)
            {
                reach[from, to] = true;
            }
            for (var k = 0; k < n; k++)
            {
                for (var i = 0; i < n; i++)
                {
                    for (var j = 0; j < n; j++)
                    {
                        reach[i, j] |= reach[i, k] && reach[k, j];
                    }
                }
            }
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    Assert.Equal(reach[i, j], stamps[i].Compare(stamps[j]) == ClockOrder.Before);
                    Assert.Equal(i != j && !reach[i, j] && !reach[j, i], stamps[i].IsConcurrentWith(stamps[j]));
                }
            }
        }, iter: 500);
}
