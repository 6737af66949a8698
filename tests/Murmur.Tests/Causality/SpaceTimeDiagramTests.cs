using Murmur.Causality;
using Murmur.Events;

namespace Murmur.Tests.Causality;

/// <summary>
/// Classic three-process space-time diagrams with their published vector timestamps.
/// </summary>
public sealed class SpaceTimeDiagramTests
{
    /// <summary>
    /// Coulouris, Dollimore, Kindberg and Blair, "Distributed Systems: Concepts and Design", the vector
    /// timestamp figure: p1 has a, b (b sends m1); p2 has c (receives m1), d (sends m2); p3 has e, f (f receives m2).
    /// Published timestamps: a=(1,0,0) b=(2,0,0) c=(2,1,0) d=(2,2,0) e=(0,0,1) f=(2,2,2); e is concurrent with a, b, c, d.
    /// </summary>
    [Fact]
    public void CoulourisFigure_SimulatedClocks_MatchPublishedTimestamps_AndConcurrency()
    {
        var p1 = VectorClock.Empty;
        var p2 = VectorClock.Empty;
        var p3 = VectorClock.Empty;
        var a = p1 = p1.Increment(0);
        var b = p1 = p1.Increment(0);                 // send m1
        var c = p2 = p2.Merge(b).Increment(1);        // receive m1
        var d = p2 = p2.Increment(1);                 // send m2
        var e = p3 = p3.Increment(2);
        var f = p3 = p3.Merge(d).Increment(2);        // receive m2

        Assert.Equal(VectorClock.FromEntries(1, 0, 0), a);
        Assert.Equal(VectorClock.FromEntries(2, 0, 0), b);
        Assert.Equal(VectorClock.FromEntries(2, 1, 0), c);
        Assert.Equal(VectorClock.FromEntries(2, 2, 0), d);
        Assert.Equal(VectorClock.FromEntries(0, 0, 1), e);
        Assert.Equal(VectorClock.FromEntries(2, 2, 2), f);

        var named = new[] { ("a", a), ("b", b), ("c", c), ("d", d), ("e", e), ("f", f) };
        var concurrent = new List<string>();
        for (var i = 0; i < named.Length; i++)
        {
            for (var j = i + 1; j < named.Length; j++)
            {
                if (named[i].Item2.IsConcurrentWith(named[j].Item2))
                {
                    concurrent.Add(named[i].Item1 + named[j].Item1);
                }
            }
        }
        Assert.Equal(["ae", "be", "ce", "de"], concurrent);
        Assert.True(a.HappenedBefore(f) && e.HappenedBefore(f) && b.HappenedBefore(c));
    }

    /// <summary>
    /// The same diagram fed to a causal buffer in reverse arrival order: nothing can be delivered until a arrives,
    /// then everything is released in one cascade in an order that respects happened-before.
    /// </summary>
    [Fact]
    public void CoulourisFigure_ReverseArrival_DeliversInCausalOrder()
    {
        var roster = Roster.Of("p1", "p2", "p3");
        var events = new[]
        {
            Ev("a", "p1", 1, 0, 0), Ev("b", "p1", 2, 0, 0), Ev("c", "p2", 2, 1, 0),
            Ev("d", "p2", 2, 2, 0), Ev("e", "p3", 0, 0, 1), Ev("f", "p3", 2, 2, 2),
        };
        var delivered = new List<string>();
        var buffer = new CausalBuffer(roster, x => delivered.Add(x.EventId));

        var results = events.Reverse().Select(buffer.Offer).ToList();

        Assert.Equal(
            [OfferOutcome.Buffered, OfferOutcome.Delivered, OfferOutcome.Buffered, OfferOutcome.Buffered, OfferOutcome.Buffered, OfferOutcome.Delivered],
            results.Select(r => r.Outcome));
        Assert.Equal(5, results[^1].Delivered);
        Assert.Equal(["e", "a", "b", "c", "d", "f"], delivered);
    }

    private static AgentEvent Ev(string id, string actor, params ulong[] clock)
        => new(id, actor, Actions.Message, default, VectorClock.FromEntries(clock));
}
