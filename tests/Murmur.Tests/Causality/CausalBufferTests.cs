using Microsoft.Extensions.Time.Testing;
using Murmur.Causality;
using Murmur.Events;

namespace Murmur.Tests.Causality;

public sealed class CausalBufferTests
{
    private static readonly Roster AB = Roster.Of("A", "B");

    private readonly List<string> _delivered = [];

    private CausalBuffer Buffer(Roster? roster = null, CausalBufferOptions? options = null)
        => new(roster ?? AB, e => _delivered.Add(e.EventId), options);

    private static AgentEvent Ev(string id, string actor, params ulong[] clock)
        => new(id, actor, Actions.Message, default, VectorClock.FromEntries(clock));

    private static AgentEvent Join(string id, string actor, params ulong[] clock)
        => new(id, actor, Actions.Join, default, VectorClock.FromEntries(clock));

    [Fact]
    public void InOrderEvents_AreDeliveredAtOnce()
    {
        var buffer = Buffer();

        Assert.Equal(new OfferResult(OfferOutcome.Delivered, 1, RejectionKind.None, null), buffer.Offer(Ev("a1", "A", 1)));
        Assert.Equal(OfferOutcome.Delivered, buffer.Offer(Ev("b1", "B", 1, 1)).Outcome);
        Assert.Equal(["a1", "b1"], _delivered);
        Assert.Equal(VectorClock.FromEntries(1, 1), buffer.DeliveredClock);
    }

    [Fact]
    public void GapInOneSender_IsHeld_ThenReleasedInOneCascade()
    {
        var buffer = Buffer();

        Assert.Equal(OfferOutcome.Buffered, buffer.Offer(Ev("a3", "A", 3)).Outcome);
        Assert.Equal(OfferOutcome.Buffered, buffer.Offer(Ev("a2", "A", 2)).Outcome);
        Assert.Equal(2, buffer.HeldCount);
        var result = buffer.Offer(Ev("a1", "A", 1));

        Assert.Equal((OfferOutcome.Delivered, 3), (result.Outcome, result.Delivered));
        Assert.Equal(["a1", "a2", "a3"], _delivered);
        Assert.Equal(0, buffer.HeldCount);
    }

    [Fact]
    public void EventDependingOnAnotherSender_WaitsForIt()
    {
        var buffer = Buffer();

        Assert.Equal(OfferOutcome.Buffered, buffer.Offer(Ev("b1", "B", 2, 1)).Outcome);
        buffer.Offer(Ev("a1", "A", 1));
        Assert.Equal(["a1"], _delivered);
        Assert.Equal(2, buffer.Offer(Ev("a2", "A", 2)).Delivered);
        Assert.Equal(["a1", "a2", "b1"], _delivered);
    }

    [Fact]
    public void Duplicates_AreDroppedAndCounted_WhetherHeldOrDelivered()
    {
        var buffer = Buffer();
        buffer.Offer(Ev("a1", "A", 1));
        buffer.Offer(Ev("a3", "A", 3));

        Assert.Equal(OfferOutcome.Duplicate, buffer.Offer(Ev("a1", "A", 1)).Outcome);
        Assert.Equal(OfferOutcome.Duplicate, buffer.Offer(Ev("a3", "A", 3)).Outcome);
        Assert.Equal(2, buffer.DuplicateCount);
        Assert.Equal(["a1"], _delivered);
    }

    [Fact]
    public void TwoEventsClaimingTheSameEntry_IsAConflict_NeverMerged()
    {
        var buffer = Buffer();
        buffer.Offer(Ev("a1", "A", 1));
        buffer.Offer(Ev("a3", "A", 3));

        var delivered = buffer.Offer(Ev("other1", "A", 1));
        var held = buffer.Offer(Ev("other3", "A", 3));
        var sameId = buffer.Offer(new AgentEvent("a1", "A", "FINDING", default, VectorClock.FromEntries(1)));

        Assert.Equal((OfferOutcome.Rejected, RejectionKind.Conflict), (delivered.Outcome, delivered.Rejection));
        Assert.Equal("'A' entry 1 was already delivered as event 'a1' with different content", delivered.Reason);
        Assert.Equal("'A' entry 3 is already claimed by event 'a3'", held.Reason);
        Assert.StartsWith("event_id 'a1' is already used by a different event", sameId.Reason, StringComparison.Ordinal);
        Assert.Equal(3, buffer.ConflictCount);
        Assert.Equal(["a1"], _delivered);
    }

    [Fact]
    public void FullBuffer_RejectsWhatItWouldHold_ButStillDeliversWhatIsReady()
    {
        var buffer = Buffer(options: new CausalBufferOptions { Capacity = 1 });
        buffer.Offer(Ev("a3", "A", 3));

        var full = buffer.Offer(Ev("a2", "A", 2));
        Assert.Equal((OfferOutcome.Rejected, RejectionKind.Full), (full.Outcome, full.Rejection));
        Assert.Equal("the buffer already holds its capacity of 1 events waiting for predecessors", full.Reason);
        Assert.Equal(1, buffer.OverflowCount);
        Assert.Equal(OfferOutcome.Delivered, buffer.Offer(Ev("b1", "B", 0, 1)).Outcome);
    }

    [Fact]
    public void DrainUndeliverable_ReportsWhatEachEventWaitsFor_WithoutBlockingOthers()
    {
        var buffer = Buffer(Roster.Of("A", "B", "C"));
        buffer.Offer(Ev("a3", "A", 3));
        buffer.Offer(Ev("b1", "B", 1, 1));
        buffer.Offer(Ev("c1", "C", 0, 0, 1));
        buffer.Offer(Ev("x1", "X", 0, 0, 0, 1));

        var undeliverable = buffer.DrainUndeliverable();

        Assert.Equal(["c1"], _delivered);
        Assert.Equal(
            [
                ("a3", "waits for events 1..2 of 'A' (delivered up to 0)"),
                ("b1", "waits for event 1 of 'A' (needs 1, delivered up to 0)"),
                ("x1", "'X' is not a roster member and no JOIN from it was delivered"),
            ],
            undeliverable.Select(u => (u.Event.EventId, u.Reason)));
        Assert.Equal(0, buffer.HeldCount);
        Assert.Equal(OfferOutcome.Delivered, buffer.Offer(Ev("a1", "A", 1)).Outcome);
    }

    [Fact]
    public void DrainExpired_GivesUpOnlyOnEventsOlderThanMaxWait()
    {
        var time = new FakeTimeProvider();
        var buffer = Buffer(options: new CausalBufferOptions { MaxWait = TimeSpan.FromSeconds(30), TimeProvider = time });
        buffer.Offer(Ev("a3", "A", 3));
        time.Advance(TimeSpan.FromSeconds(20));
        buffer.Offer(Ev("b2", "B", 0, 2));

        Assert.Empty(buffer.DrainExpired());
        time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(["a3"], buffer.DrainExpired().Select(u => u.Event.EventId));
        Assert.Equal(1, buffer.HeldCount);
        Assert.Equal(2, buffer.Offer(Ev("b1", "B", 0, 1)).Delivered);
    }

    [Fact]
    public void Joins_GrowTheRoster_AndReleaseANewcomersEarlierEvents()
    {
        var buffer = Buffer(Roster.Empty);

        Assert.Equal(OfferOutcome.Buffered, buffer.Offer(Ev("b2", "B", 1, 2)).Outcome);     // B not yet a member
        Assert.Equal(OfferOutcome.Buffered, buffer.Offer(Join("jb", "B", 1, 1)).Outcome);   // waits for index 0
        Assert.Equal(3, buffer.Offer(Join("ja", "A", 1)).Delivered);

        Assert.Equal(["ja", "jb", "b2"], _delivered);
        Assert.Equal(["A", "B"], buffer.Roster.Members);
    }

    [Fact]
    public void JoinClaimingATakenIndex_IsRejected()
    {
        var buffer = Buffer(Roster.Empty);
        buffer.Offer(Join("ja", "A", 1));

        var late = buffer.Offer(Join("jc", "C", 1));
        Assert.Equal(RejectionKind.RosterSlotTaken, late.Rejection);
        Assert.Equal("the JOIN by 'C' claims roster index 0, which 'A' already holds", late.Reason);

        buffer.Offer(Join("jb", "B", 1, 1));
        var race = Buffer(Roster.Empty);
        race.Offer(Join("jb", "B", 1, 1));
        Assert.Equal(RejectionKind.Conflict, race.Offer(Join("jc", "C", 1, 1)).Rejection);
    }

    [Fact]
    public void FixedRoster_RejectsStrangersAndLongClocks()
    {
        var buffer = Buffer(options: new CausalBufferOptions { RosterGrowsByJoin = false });

        Assert.Equal(RejectionKind.NotAMember, buffer.Offer(Ev("x1", "X", 1)).Rejection);
        Assert.Equal(RejectionKind.NotAMember, buffer.Offer(Join("jx", "X", 0, 0, 1)).Rejection);
        Assert.Equal("the clock has 3 entries but the roster has 2 members", buffer.Offer(Ev("a1", "A", 1, 0, 1)).Reason);
    }

    [Fact]
    public void OwnEntryZero_IsRejected()
    {
        var result = Buffer().Offer(Ev("b0", "B", 1, 0));

        Assert.Equal(RejectionKind.OwnEntryZero, result.Rejection);
        Assert.Equal(1, Buffer().Offer(Ev("a1", "A", 1)).Delivered);
    }

    [Fact]
    public void OfferFromTheSink_Throws()
    {
        CausalBuffer? buffer = null;
        buffer = new CausalBuffer(AB, _ => buffer!.Offer(Ev("a2", "A", 2)));

        Assert.Throws<InvalidOperationException>(() => buffer.Offer(Ev("a1", "A", 1)));
    }

    [Fact]
    public void ThrowingSink_LeavesTheBufferConsistent_AndTheCascadeResumesOnTheNextOffer()
    {
        var delivered = new List<string>();
        var buffer = new CausalBuffer(AB, e =>
        {
            delivered.Add(e.EventId);
            if (e.EventId == "a2" && delivered.Count(id => id == "a2") == 1)
            {
                throw new InvalidOperationException("sink failed");
            }
        });
        buffer.Offer(Ev("a3", "A", 3));
        buffer.Offer(Ev("a2", "A", 2));

        Assert.Throws<InvalidOperationException>(() => buffer.Offer(Ev("a1", "A", 1)));
        Assert.Equal(["a1", "a2"], delivered);
        Assert.Equal(2, buffer.Offer(Ev("b1", "B", 0, 1)).Delivered);
        Assert.Equal(["a1", "a2", "a3", "b1"], delivered);
    }

    [Fact]
    public void EventsOfAnotherTopic_AreRejected()
    {
        var buffer = Buffer(options: new CausalBufferOptions { Topic = "t1" });
        var e = new AgentEvent("a1", "A", Actions.Message, default, VectorClock.FromEntries(1)) { Topic = "t2" };

        Assert.Equal(RejectionKind.WrongTopic, buffer.Offer(e).Rejection);
    }

    [Fact]
    public void DuplicateOlderThanWindow_IsStillDropped()
    {
        var buffer = Buffer(options: new CausalBufferOptions { DuplicateWindow = 2 });
        for (ulong i = 1; i <= 5; i++)
        {
            buffer.Offer(Ev($"a{i}", "A", i));
        }

        var old = buffer.Offer(Ev("a1", "A", 1));
        Assert.Equal(OfferOutcome.Duplicate, old.Outcome);
        Assert.Equal("'A' entry 1 was already delivered (too old to compare content)", old.Reason);
    }

    [Fact]
    public void RosterFromJoins_FollowsLogOrder()
        => Assert.Equal(["B", "A"], Roster.FromJoins([Join("1", "B", 1), Ev("2", "B", 2), Join("3", "A", 1, 1), Join("4", "B", 3, 1)]).Members);
}

public sealed class CausalBufferAllocationTests
{
    [Fact]
    public void SteadyStateDelivery_AllocatesNothing()
    {
        var roster = Roster.Of("agent0", "agent1", "agent2", "agent3");
        var history = History.Fixed(new Random(3), 4, 6000);
        // Reverse every block of 8, so half the events wait and are released by cascades.
        for (var i = 0; i + 8 <= history.Count; i += 8)
        {
            history.Reverse(i, 8);
        }
        var delivered = 0;
        var buffer = new CausalBuffer(roster, _ => delivered++, new CausalBufferOptions { DuplicateWindow = 64 });
        for (var i = 0; i < 3000; i++)
        {
            buffer.Offer(history[i]);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 3000; i < history.Count; i++)
        {
            buffer.Offer(history[i]);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(history.Count, delivered);
        Assert.Equal(0, allocated);
    }
}
