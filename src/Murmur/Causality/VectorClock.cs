using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace Murmur.Causality;

/// <summary>
/// An immutable vector clock: one 64-bit counter per roster member, member <c>i</c> owning entry <c>i</c>.
/// A shorter clock is equal to the same clock padded with trailing zeros.
/// </summary>
/// <remarks>
/// <para>
/// Vector clocks characterise causality exactly: <c>a → b</c> (a happened before b) iff
/// <c>VC(a) &lt; VC(b)</c>. The logical-clock idea is from L. Lamport, "Time, Clocks, and the Ordering of
/// Events in a Distributed System", CACM 21(7), 1978; the vector form and its isomorphism with causality
/// from F. Mattern, "Virtual Time and Global States of Distributed Systems", Parallel and Distributed
/// Algorithms, 1989 (independently C. Fidge, 1988).
/// </para>
/// <para>
/// A value type wrapping a private array that is never mutated after construction, so copies are cheap
/// and it is safe to share between threads. <see cref="Compare(VectorClock)"/> never allocates;
/// <see cref="Increment"/> and <see cref="Merge"/> allocate exactly one new array.
/// </para>
/// </remarks>
public readonly struct VectorClock : IEquatable<VectorClock>
{
    private static readonly ulong[] NoEntries = [];
    private readonly ulong[]? _entries;

    private VectorClock(ulong[] entries) => _entries = entries;

    /// <summary>The clock with no entries (all zeros).</summary>
    public static VectorClock Empty => default;

    /// <summary>The number of stored entries (entries beyond it read as zero).</summary>
    public int Length => _entries?.Length ?? 0;

    /// <summary>The stored entries, without copying.</summary>
    public ReadOnlySpan<ulong> Entries => _entries;

    /// <summary>The entry of member <paramref name="index"/>; zero beyond <see cref="Length"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
    public ulong this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            var entries = _entries;
            return entries is not null && index < entries.Length ? entries[index] : 0;
        }
    }

    /// <summary>Creates a clock holding a copy of <paramref name="entries"/>.</summary>
    public static VectorClock FromEntries(ReadOnlySpan<ulong> entries)
        => entries.IsEmpty ? default : new VectorClock(entries.ToArray());

    /// <summary>Creates a clock holding a copy of <paramref name="entries"/>.</summary>
    public static VectorClock FromEntries(params ulong[] entries) => FromEntries(entries.AsSpan());

    /// <summary>Creates a clock that takes ownership of <paramref name="entries"/>; the caller must not change it afterwards.</summary>
    internal static VectorClock Wrap(ulong[] entries) => entries.Length == 0 ? default : new VectorClock(entries);

    /// <summary>Returns this clock with entry <paramref name="index"/> one higher (a local event of member <paramref name="index"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
    /// <exception cref="OverflowException">The entry is already <see cref="ulong.MaxValue"/>.</exception>
    public VectorClock Increment(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var source = _entries ?? NoEntries;
        // Every entry is written below, so the array need not be zeroed first (this matters for long clocks).
        var result = GC.AllocateUninitializedArray<ulong>(Math.Max(source.Length, index + 1));
        source.CopyTo(result, 0);
        result.AsSpan(source.Length).Clear();
        result[index] = checked(result[index] + 1);
        return new VectorClock(result);
    }

    /// <summary>Returns the entry-wise maximum of both clocks (what a receiver knows after a receive).</summary>
    public VectorClock Merge(VectorClock other)
    {
        var a = _entries ?? NoEntries;
        var b = other._entries ?? NoEntries;
        if (a.Length < b.Length)
        {
            (a, b) = (b, a);
        }
        var result = GC.AllocateUninitializedArray<ulong>(a.Length);
        var i = 0;
        if (Vector.IsHardwareAccelerated && b.Length >= Vector<ulong>.Count)
        {
            var va = MemoryMarshal.Cast<ulong, Vector<ulong>>(a.AsSpan(0, b.Length));
            var vb = MemoryMarshal.Cast<ulong, Vector<ulong>>(b.AsSpan());
            var vr = MemoryMarshal.Cast<ulong, Vector<ulong>>(result.AsSpan(0, b.Length));
            for (var v = 0; v < vb.Length; v++)
            {
                vr[v] = Vector.Max(va[v], vb[v]);
            }
            i = vb.Length * Vector<ulong>.Count;
        }
        for (; i < b.Length; i++)
        {
            result[i] = Math.Max(a[i], b[i]);
        }
        Array.Copy(a, b.Length, result, b.Length, a.Length - b.Length);
        return Wrap(result);
    }

    /// <summary>Orders this clock against <paramref name="other"/>; never allocates.</summary>
    public ClockOrder Compare(VectorClock other) => Compare(Entries, other.Entries);

    /// <summary>Orders two clocks given as entry spans (missing entries read as zero); never allocates.</summary>
    public static ClockOrder Compare(ReadOnlySpan<ulong> left, ReadOnlySpan<ulong> right)
    {
        var less = false;
        var greater = false;
        var common = Math.Min(left.Length, right.Length);
        var start = 0;
        if (Vector.IsHardwareAccelerated && common >= Vector<ulong>.Count)
        {
            var l = MemoryMarshal.Cast<ulong, Vector<ulong>>(left[..common]);
            var r = MemoryMarshal.Cast<ulong, Vector<ulong>>(right[..common]);
            // Accumulate comparison masks and test them once per block: no branch per vector, yet an early exit
            // for clocks that are clearly concurrent.
            var lt = Vector<ulong>.Zero;
            var gt = Vector<ulong>.Zero;
            for (var v = 0; v < l.Length; v++)
            {
                lt |= Vector.LessThan(l[v], r[v]);
                gt |= Vector.GreaterThan(l[v], r[v]);
                if ((v & 15) == 15 && lt != Vector<ulong>.Zero && gt != Vector<ulong>.Zero)
                {
                    return ClockOrder.Concurrent;
                }
            }
            less = lt != Vector<ulong>.Zero;
            greater = gt != Vector<ulong>.Zero;
            start = l.Length * Vector<ulong>.Count;
        }
        for (var i = start; i < common; i++)
        {
            var l = left[i];
            var r = right[i];
            less |= l < r;
            greater |= l > r;
        }
        // Entries past the shorter clock compare against an implicit zero.
        for (var i = common; i < left.Length; i++)
        {
            greater |= left[i] != 0;
        }
        for (var i = common; i < right.Length; i++)
        {
            less |= right[i] != 0;
        }
        return (less, greater) switch
        {
            (false, false) => ClockOrder.Equal,
            (true, false) => ClockOrder.Before,
            (false, true) => ClockOrder.After,
            _ => ClockOrder.Concurrent,
        };
    }

    /// <summary>True when this clock happened strictly before <paramref name="other"/>.</summary>
    public bool HappenedBefore(VectorClock other) => Compare(other) == ClockOrder.Before;

    /// <summary>True when neither clock happened before the other.</summary>
    public bool IsConcurrentWith(VectorClock other) => Compare(other) == ClockOrder.Concurrent;

    /// <inheritdoc/>
    public bool Equals(VectorClock other) => Compare(other) == ClockOrder.Equal;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is VectorClock other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var entries = Entries;
        var end = entries.Length;
        while (end > 0 && entries[end - 1] == 0)
        {
            end--;
        }
        var hash = new HashCode();
        foreach (var e in entries[..end])
        {
            hash.Add(e);
        }
        return hash.ToHashCode();
    }

    /// <summary>Formats as the wire form, e.g. <c>[1,0,4]</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("[");
        var entries = Entries;
        for (var i = 0; i < entries.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            sb.Append(entries[i].ToString(CultureInfo.InvariantCulture));
        }
        return sb.Append(']').ToString();
    }

    /// <summary>Equality with trailing zeros ignored.</summary>
    public static bool operator ==(VectorClock left, VectorClock right) => left.Equals(right);

    /// <summary>Inequality with trailing zeros ignored.</summary>
    public static bool operator !=(VectorClock left, VectorClock right) => !left.Equals(right);
}
