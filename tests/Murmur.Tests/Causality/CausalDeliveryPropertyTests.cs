using CsCheck;
using Murmur.Causality;
using Murmur.Events;

namespace Murmur.Tests.Causality;

public sealed class CausalDeliveryPropertyTests
{
    [Fact]
    public void AnyArrivalOrderWithDuplicates_DeliversEachEventOnce_NeverBeforeItsCauses()
        => Gen.Select(Gen.Int[1, 5], Gen.Int[1, 40], Gen.Int).Sample((agents, steps, seed) =>
        {
            var random = new Random(seed);
            var history = History.Fixed(random, agents, steps);
            var roster = Roster.Of(Enumerable.Range(0, agents).Select(i => $"agent{i}"));
            for (var permutation = 0; permutation < 5; permutation++)
            {
                var arrivals = History.Arrivals(random, history);
                var delivered = new List<AgentEvent>();
                var buffer = new CausalBuffer(roster, delivered.Add);
                var duplicates = arrivals.Select(buffer.Offer).Count(r => r.Outcome == OfferOutcome.Duplicate);

                AssertCausallyComplete(history, delivered);
                Assert.Equal(arrivals.Count - history.Count, duplicates);
                Assert.Equal(0, buffer.HeldCount);
                Assert.Equal(0, buffer.RejectedCount);
                Assert.Empty(buffer.DrainUndeliverable());
            }
        }, iter: 400);

    [Fact]
    public void JoinsInAnyArrivalOrder_BuildTheSameRoster_AndDeliverCausally()
        => Gen.Select(Gen.Int[1, 5], Gen.Int[1, 40], Gen.Int).Sample((agents, steps, seed) =>
        {
            var random = new Random(seed);
            var history = History.WithJoins(random, agents, steps);
            var expectedRoster = Roster.FromJoins(history);
            for (var permutation = 0; permutation < 5; permutation++)
            {
                var arrivals = History.Arrivals(random, history);
                var delivered = new List<AgentEvent>();
                var buffer = new CausalBuffer(Roster.Empty, delivered.Add);
                foreach (var e in arrivals)
                {
                    Assert.NotEqual(OfferOutcome.Rejected, buffer.Offer(e).Outcome);
                }
                if (buffer.HeldCount > 0)
                {
                    var why = string.Join("\n", buffer.DrainUndeliverable().Select(u => $"{u.Event} {u.Reason}"));
                    Assert.Fail($"roster {buffer.Roster} clock {buffer.DeliveredClock}\n{why}\n" + string.Join("\n", arrivals));
                }

                AssertCausallyComplete(history, delivered);
                Assert.Equal(expectedRoster.Members, buffer.Roster.Members);
                Assert.Equal(0, buffer.HeldCount);
            }
        }, iter: 300);

    [Fact]
    public void MissingEvent_LeavesOnlyItsDescendantsUndeliverable()
        => Gen.Select(Gen.Int[2, 4], Gen.Int[2, 30], Gen.Int).Sample((agents, steps, seed) =>
        {
            var random = new Random(seed);
            var history = History.Fixed(random, agents, steps);
            var lost = history[random.Next(history.Count)];
            var roster = Roster.Of(Enumerable.Range(0, agents).Select(i => $"agent{i}"));
            var delivered = new List<AgentEvent>();
            var buffer = new CausalBuffer(roster, delivered.Add);
            foreach (var e in History.Arrivals(random, history).Where(e => e.EventId != lost.EventId))
            {
                buffer.Offer(e);
            }
            var undeliverable = buffer.DrainUndeliverable().Select(u => u.Event.EventId).ToHashSet();

            foreach (var e in history.Where(e => e.EventId != lost.EventId))
            {
                var dependsOnLost = lost.Clock.HappenedBefore(e.Clock);
                Assert.Equal(dependsOnLost, undeliverable.Contains(e.EventId));
                Assert.Equal(!dependsOnLost, delivered.Any(d => d.EventId == e.EventId));
            }
        }, iter: 300);

    private static void AssertCausallyComplete(List<AgentEvent> history, List<AgentEvent> delivered)
    {
        Assert.Equal(history.Select(e => e.EventId).Order(), delivered.Select(e => e.EventId).Order());
        for (var i = 0; i < delivered.Count; i++)
        {
            for (var j = i + 1; j < delivered.Count; j++)
            {
                // Nothing delivered later may have happened before something delivered earlier.
                Assert.False(delivered[j].Clock.HappenedBefore(delivered[i].Clock),
                    $"{delivered[j].EventId} {delivered[j].Clock} was delivered after {delivered[i].EventId} {delivered[i].Clock}");
            }
        }
    }
}
