using Murmur.Causality;
using Murmur.Events;

namespace Murmur.Tests.Causality;

/// <summary>Bounded holding: what can never be delivered is refused or given up with the missing dependency named.</summary>
public sealed class CausalBufferBoundsTests
{
    private static readonly Roster AB = Roster.Of("A", "B");

    private readonly List<string> _delivered = [];

    private CausalBuffer Buffer(Roster? roster = null, CausalBufferOptions? options = null)
        => new(roster ?? AB, e => _delivered.Add(e.EventId), options ?? CausalBufferOptions.NodeDefault);

    private static AgentEvent Ev(string id, string actor, params ulong[] clock)
        => new(id, actor, Actions.Message, default, VectorClock.FromEntries(clock));

    private static AgentEvent Join(string id, string actor, params ulong[] clock)
        => new(id, actor, Actions.Join, default, VectorClock.FromEntries(clock));

    [Fact]
    public void OwnEntryJumpingPastTheGap_IsRefusedAtOnce_NamingTheGap()
    {
        var buffer = Buffer();
        buffer.Offer(Ev("a1", "A", 1));

        var result = buffer.Offer(Ev("a101", "A", 101));

        Assert.Equal((OfferOutcome.Rejected, RejectionKind.Undeliverable), (result.Outcome, result.Rejection));
        Assert.Contains("'A' entry 101 is 100 past its delivered entry 1; gaps of more than 64", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, buffer.HeldCount);
    }

    [Fact]
    public void OtherMembersEntryPastTheGap_IsRefusedAtOnce_NamingTheMember()
    {
        var buffer = Buffer();

        var result = buffer.Offer(Ev("b1", "B", 65, 1));

        Assert.Equal(RejectionKind.Undeliverable, result.Rejection);
        Assert.Contains("it needs event 65 of 'A', but 0 were delivered", result.Reason, StringComparison.Ordinal);
        Assert.Equal(OfferOutcome.Buffered, buffer.Offer(Ev("b1x", "B", 64, 1)).Outcome); // within the bound: held
    }

    [Fact]
    public void TrailingZerosBeyondTheRoster_AreRefused_AndTheDeliveredClockNeverGrowsPastTheRoster()
    {
        var buffer = Buffer();
        var zeros = new ulong[1002];
        zeros[0] = 1;

        var result = buffer.Offer(Ev("a1", "A", zeros));

        Assert.Equal(RejectionKind.NotCanonical, result.Rejection);
        Assert.Contains("has 1002 entries, more than the roster's 2, and ends in 0", result.Reason, StringComparison.Ordinal);
        Assert.True(result.Reason!.Length < 300, "a hostile clock must not make the reason large");
        Assert.Equal(OfferOutcome.Delivered, buffer.Offer(Ev("a1b", "A", 1, 0)).Outcome); // zeros within the roster are fine
        Assert.Equal(2, buffer.DeliveredClock.Length);
    }

    [Fact]
    public void OneSender_CannotHoldMoreThanItsCap_AndOthersStillWait()
    {
        var buffer = Buffer(options: CausalBufferOptions.NodeDefault with { MaxHeldPerSender = 2 });

        Assert.Equal(OfferOutcome.Buffered, buffer.Offer(Ev("a3", "A", 3)).Outcome);
        Assert.Equal(OfferOutcome.Buffered, buffer.Offer(Ev("a4", "A", 4)).Outcome);
        var third = buffer.Offer(Ev("a5", "A", 5));
        Assert.Equal(RejectionKind.SenderFull, third.Rejection);
        Assert.Contains("'A' already has 2 events waiting; at most 2", third.Reason, StringComparison.Ordinal);
        Assert.Equal(OfferOutcome.Buffered, buffer.Offer(Ev("b2", "B", 0, 2)).Outcome);
        Assert.Equal(3, buffer.HeldCount);
    }

    [Fact]
    public void RefusedEntry_GivesUpItsHeldDependents_AndRefusesLaterOnes_NamingIt()
    {
        var buffer = Buffer(options: CausalBufferOptions.NodeDefault with { MaxHeldPerSender = 2 });
        buffer.Offer(Ev("a3", "A", 3));
        buffer.Offer(Ev("a4", "A", 4));
        buffer.Offer(Ev("b1", "B", 4, 1));    // waits for A's 4th event
        buffer.Offer(Ev("b2", "B", 2, 2));    // waits for A's 2nd only

        // A's 2nd event cannot be held (A already has two waiting), so A's 3rd and 4th, and B's events on them, can never be delivered.
        Assert.Equal(RejectionKind.SenderFull, buffer.Offer(Ev("a2", "A", 2)).Rejection);
        var given = buffer.TakeUndeliverable();

        Assert.Equal(["a3", "a4", "b1", "b2"], given.Select(u => u.Event.EventId).Order());
        Assert.All(given, u => Assert.Contains("depends on event 2 of 'A', which was refused (SenderFull", u.Reason, StringComparison.Ordinal));
        Assert.Equal(0, buffer.HeldCount);
        Assert.Empty(buffer.TakeUndeliverable());
        var later = buffer.Offer(Ev("a5", "A", 5));
        Assert.Equal(RejectionKind.Undeliverable, later.Rejection);
        Assert.Contains("event 2 of 'A', which was refused", later.Reason, StringComparison.Ordinal);
        // Honest order still works: A's first event, then its second again.
        Assert.Equal(OfferOutcome.Delivered, buffer.Offer(Ev("a1", "A", 1)).Outcome);
        Assert.Equal(OfferOutcome.Delivered, buffer.Offer(Ev("a2", "A", 2)).Outcome);
        Assert.Equal(OfferOutcome.Delivered, buffer.Offer(Ev("a3", "A", 3)).Outcome);
    }

    [Fact]
    public void Strangers_AreCappedPerActor()
    {
        var buffer = Buffer(Roster.Empty, CausalBufferOptions.NodeDefault with { MaxHeldPerSender = 1 });

        Assert.Equal(OfferOutcome.Buffered, buffer.Offer(Ev("g1", "Ghost", 1)).Outcome);
        var second = buffer.Offer(Ev("g2", "Ghost", 2));

        Assert.Equal(RejectionKind.SenderFull, second.Rejection);
        Assert.Contains("'Ghost' (not a member yet) already has 1 events waiting for its JOIN", second.Reason, StringComparison.Ordinal);
        Assert.Equal(OfferOutcome.Buffered, buffer.Offer(Ev("h1", "Other", 1)).Outcome);
    }

    [Fact]
    public void PlaceJoin_GivesEmptyClockJoinsTheNextIndex_AndNullForARepeat()
    {
        var buffer = Buffer(Roster.Empty);

        var first = buffer.PlaceJoin(Join("j1", "A"))!;
        Assert.Equal(VectorClock.FromEntries(1), first.Clock);
        buffer.Offer(first);
        var second = buffer.PlaceJoin(Join("j2", "B"))!;
        Assert.Equal(VectorClock.FromEntries(0, 1), second.Clock);
        buffer.Offer(second);

        Assert.Null(buffer.PlaceJoin(Join("j3", "A")));
        Assert.Equal(["j1", "j2"], _delivered);
        Assert.Equal(["A", "B"], buffer.Roster.Members);
    }

    [Fact]
    public void NonMembersEvent_IsGivenUpAfterTheGracePeriod_NamingTheMissingJoin()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var buffer = Buffer(Roster.Empty, CausalBufferOptions.NodeDefault with { TimeProvider = time });
        buffer.Offer(Ev("g1", "Ghost", 1));

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(buffer.DrainExpired());
        time.Advance(TimeSpan.FromSeconds(2));
        var given = Assert.Single(buffer.DrainExpired());

        Assert.Equal("g1", given.Event.EventId);
        Assert.Contains("'Ghost' is not a roster member and no JOIN from it was delivered", given.Reason, StringComparison.Ordinal);
    }
}
