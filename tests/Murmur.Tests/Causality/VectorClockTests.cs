using CsCheck;
using Murmur.Causality;

namespace Murmur.Tests.Causality;

public sealed class VectorClockTests
{
    private static readonly Gen<VectorClock> Clocks =
        Gen.ULong[0, 4].Array[0, 6].Select(VectorClock.FromEntries);

    private static bool LessOrEqual(VectorClock a, VectorClock b) => a.Compare(b) is ClockOrder.Before or ClockOrder.Equal;

    [Fact]
    public void Merge_IsCommutative()
        => Gen.Select(Clocks, Clocks).Sample((a, b) => a.Merge(b) == b.Merge(a), iter: 5000);

    [Fact]
    public void Merge_IsAssociative()
        => Gen.Select(Clocks, Clocks, Clocks).Sample((a, b, c) => a.Merge(b).Merge(c) == a.Merge(b.Merge(c)), iter: 5000);

    [Fact]
    public void Merge_IsIdempotent()
        => Clocks.Sample(a => a.Merge(a) == a, iter: 5000);

    [Fact]
    public void Compare_IsReflexiveAndAntisymmetric()
        => Gen.Select(Clocks, Clocks).Sample((a, b) =>
        {
            Assert.Equal(ClockOrder.Equal, a.Compare(a));
            var expected = a.Compare(b) switch
            {
                ClockOrder.Before => ClockOrder.After,
                ClockOrder.After => ClockOrder.Before,
                var same => same,
            };
            Assert.Equal(expected, b.Compare(a));
        }, iter: 5000);

    [Fact]
    public void Compare_IsTransitive()
        => Gen.Select(Clocks, Clocks, Clocks).Sample((a, b, c) =>
            !(LessOrEqual(a, b) && LessOrEqual(b, c)) || LessOrEqual(a, c), iter: 10_000);

    [Fact]
    public void Compare_IsConsistentWithMerge()
        => Gen.Select(Clocks, Clocks).Sample((a, b) =>
        {
            var m = a.Merge(b);
            Assert.True(LessOrEqual(a, m) && LessOrEqual(b, m));
            // a ≤ b exactly when merging a into b changes nothing; concurrent exactly when the merge exceeds both.
            Assert.Equal(LessOrEqual(a, b), m == b);
            Assert.Equal(a.Compare(b) == ClockOrder.Concurrent, m != a && m != b);
        }, iter: 10_000);

    [Fact]
    public void Increment_MakesTheClockHappenAfter()
        => Gen.Select(Clocks, Gen.Int[0, 7]).Sample((a, i) => a.Compare(a.Increment(i)) == ClockOrder.Before, iter: 5000);

    [Fact]
    public void ShorterClock_MeansTrailingZeros()
    {
        var shorter = VectorClock.FromEntries(1, 2);
        var longer = VectorClock.FromEntries(1, 2, 0, 0);

        Assert.Equal(ClockOrder.Equal, shorter.Compare(longer));
        Assert.Equal(shorter, longer);
        Assert.Equal(shorter.GetHashCode(), longer.GetHashCode());
        Assert.Equal(ClockOrder.Before, shorter.Compare(VectorClock.FromEntries(1, 2, 0, 1)));
        Assert.Equal(0UL, shorter[7]);
        Assert.Equal("[1,2]", shorter.ToString());
    }

    [Fact]
    public void Increment_AtMaxValue_Throws()
        => Assert.Throws<OverflowException>(() => VectorClock.FromEntries(ulong.MaxValue).Increment(0));

    [Fact]
    public void Compare_DoesNotAllocate()
    {
        var a = VectorClock.FromEntries(1, 2, 3, 4, 5, 6, 7, 8);
        var b = VectorClock.FromEntries(1, 2, 3, 4, 5, 6, 7, 9);
        a.Compare(b);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var order = ClockOrder.Equal;
        for (var i = 0; i < 1000; i++)
        {
            order = a.Compare(b);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(ClockOrder.Before, order);
    }
}
