namespace Murmur.Causality;

/// <summary>What <see cref="CausalBuffer.Offer"/> did with an event.</summary>
public enum OfferOutcome
{
    /// <summary>The event was causally ready and was delivered at once (possibly releasing others).</summary>
    Delivered,

    /// <summary>The event waits for events that happened before it.</summary>
    Buffered,

    /// <summary>The event was seen before (same <c>event_id</c>, or same actor and own entry) and was dropped.</summary>
    Duplicate,

    /// <summary>The event was refused; see <see cref="OfferResult.Rejection"/> and <see cref="OfferResult.Reason"/>.</summary>
    Rejected,
}
