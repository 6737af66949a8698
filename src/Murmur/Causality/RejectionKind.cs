namespace Murmur.Causality;

/// <summary>Why <see cref="CausalBuffer"/> refused an event.</summary>
public enum RejectionKind
{
    /// <summary>Not rejected.</summary>
    None,

    /// <summary>Another event with different content already claims the same actor and own entry, or the same <c>event_id</c>.</summary>
    Conflict,

    /// <summary>The buffer already holds <see cref="CausalBufferOptions.Capacity"/> events.</summary>
    Full,

    /// <summary>The actor is not a roster member and the roster cannot grow (or the event is not a <c>JOIN</c>).</summary>
    NotAMember,

    /// <summary>The clock has more entries than the roster (fixed roster) or than <see cref="CausalBufferOptions.MaxMembers"/>.</summary>
    ClockTooLong,

    /// <summary>The sender's own clock entry is zero (or a newcomer's <c>JOIN</c> does not end in 1).</summary>
    OwnEntryZero,

    /// <summary>A newcomer's <c>JOIN</c> claims a roster index that another member already holds.</summary>
    RosterSlotTaken,

    /// <summary>The event names another topic.</summary>
    WrongTopic,

    /// <summary>
    /// The clock is longer than the roster and ends in zero: canonical clocks have no trailing zeros (they would let one
    /// event make every later clock grow past the roster).
    /// </summary>
    NotCanonical,

    /// <summary>
    /// The event can never be delivered: an entry jumps more than <see cref="CausalBufferOptions.MaxEntryGap"/> past what
    /// was delivered, or it depends on an event this buffer refused.
    /// </summary>
    Undeliverable,

    /// <summary>The sender already has <see cref="CausalBufferOptions.MaxHeldPerSender"/> events waiting.</summary>
    SenderFull,
}
