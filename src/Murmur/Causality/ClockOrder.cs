namespace Murmur.Causality;

/// <summary>How two vector clocks relate under the happened-before order.</summary>
public enum ClockOrder
{
    /// <summary>The left clock happened before the right one: every entry is ≤ and at least one is &lt;.</summary>
    Before,

    /// <summary>The left clock happened after the right one: every entry is ≥ and at least one is &gt;.</summary>
    After,

    /// <summary>Both clocks hold the same entries (trailing zeros ignored).</summary>
    Equal,

    /// <summary>Neither happened before the other: each has an entry greater than the other's.</summary>
    Concurrent,
}
