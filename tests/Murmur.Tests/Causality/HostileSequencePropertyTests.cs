using CsCheck;
using Murmur.Causality;
using Murmur.Events;

namespace Murmur.Tests.Causality;

/// <summary>
/// Any sequence of hostile events mixed into an honest log leaves the buffer's holding within its caps and delivers
/// every honest event, in causal order.
/// </summary>
public sealed class HostileSequencePropertyTests
{
    private static readonly CausalBufferOptions Bounds = CausalBufferOptions.NodeDefault with
    {
        Capacity = 40,
        MaxHeldPerSender = 6,
        MaxEntryGap = 12,
        MaxWait = null,
    };

    /// <summary>An honest history: members join (empty clocks), then each event merges what its sender saw of earlier ones.</summary>
    private static List<AgentEvent> Honest(Random random, int members, int steps)
    {
        var log = new List<AgentEvent>();
        var known = new ulong[members][];
        for (var m = 0; m < members; m++)
        {
            log.Add(new AgentEvent($"join-{m}", $"M{m}", Actions.Join, default, VectorClock.Empty));
            known[m] = new ulong[members];
            known[m][m] = 1;
        }
        var events = new List<ulong[]>();
        for (var i = 0; i < steps; i++)
        {
            var m = random.Next(members);
            if (events.Count > 0 && random.Next(2) == 0)
            {
                var heard = events[random.Next(events.Count)]; // causally closed: merging its clock takes its causes too
                for (var j = 0; j < members; j++)
                {
                    known[m][j] = Math.Max(known[m][j], heard[j]);
                }
            }
            known[m][m]++;
            var clock = (ulong[])known[m].Clone();
            events.Add(clock);
            var length = clock.Length;
            while (length > 0 && clock[length - 1] == 0)
            {
                length--;
            }
            log.Add(new AgentEvent($"e{i}", $"M{m}", Actions.Message, default, VectorClock.FromEntries(clock.AsSpan(0, length))));
        }
        return log;
    }

    /// <summary>A hostile event: an outsider or a joined intruder, any clock (jumps, zeros, long tails), a fresh id.</summary>
    private static AgentEvent Hostile(Random random, int index)
    {
        var actor = $"X{random.Next(4)}";
        if (random.Next(8) == 0)
        {
            return new AgentEvent($"h{index}", actor, Actions.Join, default, VectorClock.Empty);
        }
        var clock = new ulong[random.Next(0, 12)];
        for (var j = 0; j < clock.Length; j++)
        {
            clock[j] = random.Next(4) switch
            {
                0 => 0,
                1 => (ulong)random.Next(1, 4),
                2 => (ulong)random.Next(1, 30),
                _ => (ulong)random.Next(1, 2000),
            };
        }
        return new AgentEvent($"h{index}", actor, random.Next(2) == 0 ? Actions.Message : "NOISE", default, VectorClock.FromEntries(clock));
    }

    [Fact]
    public void HostileEvents_LeaveHoldingBounded_AndEveryHonestEventDelivered()
        => Gen.Select(Gen.Int[2, 4], Gen.Int[1, 40], Gen.Int[0, 300], Gen.Int).Sample((members, steps, hostileCount, seed) =>
        {
            var random = new Random(seed);
            var honest = Honest(random, members, steps);
            // The honest events keep their log order (their causes precede them); the hostile ones go anywhere after the JOINs.
            var log = new List<AgentEvent>(honest);
            for (var i = 0; i < hostileCount; i++)
            {
                log.Insert(random.Next(members, log.Count + 1), Hostile(random, i));
            }
            var delivered = new List<AgentEvent>();
            var buffer = new CausalBuffer(Roster.Empty, delivered.Add, Bounds);
            var perSender = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var e in log)
            {
                var offered = e.Action == Actions.Join && e.Clock.Length == 0 ? buffer.PlaceJoin(e) : e;
                if (offered is null)
                {
                    continue;
                }
                var result = buffer.Offer(offered);
                buffer.TakeUndeliverable();
                if (!e.EventId.StartsWith('h'))
                {
                    Assert.True(result.Outcome == OfferOutcome.Delivered, $"honest {e.EventId} {e.Clock} was {result.Outcome}: {result.Reason}");
                }
                Assert.True(buffer.HeldCount <= Bounds.Capacity, $"holding {buffer.HeldCount} events");
            }
            var given = buffer.DrainUndeliverable();
            Assert.Equal(0, buffer.HeldCount);
            Assert.All(given, u => Assert.StartsWith("h", u.Event.EventId, StringComparison.Ordinal));

            // Every honest event delivered once, each after everything it depends on.
            var honestDelivered = delivered.Where(e => !e.EventId.StartsWith('h')).ToList();
            Assert.Equal(honest.Select(e => e.EventId).Order(), honestDelivered.Select(e => e.EventId).Order());
            var position = delivered.Select((e, i) => (e.EventId, i)).ToDictionary(p => p.EventId, p => p.i);
            var roster = buffer.Roster;
            foreach (var e in honestDelivered)
            {
                foreach (var earlier in honestDelivered)
                {
                    var s = roster.IndexOf(earlier.Actor);
                    if (s < e.Clock.Length && s < earlier.Clock.Length && earlier.Clock[s] <= e.Clock[s] && !ReferenceEquals(earlier, e))
                    {
                        Assert.True(position[earlier.EventId] < position[e.EventId], $"{earlier.EventId} happened before {e.EventId} but came after it");
                    }
                }
            }
        }, iter: 300);
}
