using Murmur.Causality;
using Murmur.Events;

namespace Murmur.Tests.Causality;

/// <summary>Random multi-agent histories: agents send (broadcast), receive (merge a seen event) and act concurrently.</summary>
internal static class History
{
    /// <summary>A history over a fixed roster of <paramref name="agents"/> members.</summary>
    public static List<AgentEvent> Fixed(Random random, int agents, int steps)
    {
        var clocks = Enumerable.Repeat(VectorClock.Empty, agents).ToArray();
        var events = new List<AgentEvent>();
        for (var step = 0; step < steps; step++)
        {
            var i = random.Next(agents);
            // Sometimes receive a few earlier events first (merge), then send.
            var receives = events.Count == 0 ? 0 : random.Next(3);
            for (var r = 0; r < receives; r++)
            {
                clocks[i] = clocks[i].Merge(events[random.Next(events.Count)].Clock);
            }
            clocks[i] = clocks[i].Increment(i);
            events.Add(new AgentEvent($"e{events.Count}", $"agent{i}", Actions.Message, default, clocks[i]));
        }
        return events;
    }

    /// <summary>
    /// A history where agents join one by one with JOIN events (joiner k has seen the k earlier JOINs and claims
    /// index k); only joined agents send.
    /// </summary>
    public static List<AgentEvent> WithJoins(Random random, int agents, int steps)
    {
        var clocks = new List<VectorClock>();
        var joins = new List<AgentEvent>();
        var events = new List<AgentEvent>();
        for (var step = 0; step < steps || clocks.Count < agents; step++)
        {
            if (clocks.Count < agents && (clocks.Count == 0 || random.Next(4) == 0 || step >= steps))
            {
                var k = clocks.Count;
                var clock = VectorClock.Empty;
                foreach (var j in joins)
                {
                    clock = clock.Merge(j.Clock);
                }
                clock = clock.Increment(k);
                var join = new AgentEvent($"join{k}", $"agent{k}", Actions.Join, default, clock);
                joins.Add(join);
                events.Add(join);
                clocks.Add(clock);
                continue;
            }
            var i = random.Next(clocks.Count);
            var receives = random.Next(3);
            for (var r = 0; r < receives; r++)
            {
                clocks[i] = clocks[i].Merge(events[random.Next(events.Count)].Clock);
            }
            clocks[i] = clocks[i].Increment(i);
            events.Add(new AgentEvent($"e{events.Count}", $"agent{i}", Actions.Message, default, clocks[i]));
        }
        return events;
    }

    /// <summary>A random arrival order of <paramref name="events"/> with some of them repeated (as equal copies).</summary>
    public static List<AgentEvent> Arrivals(Random random, IReadOnlyList<AgentEvent> events)
    {
        var arrivals = events.ToList();
        var copies = random.Next(events.Count / 3 + 1);
        for (var c = 0; c < copies; c++)
        {
            // A decoded copy: equal content, different instance, as a re-read from the log would be.
            var original = events[random.Next(events.Count)];
            arrivals.Add(AgentEventCodec.Decode(AgentEventCodec.Encode(original)));
        }
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(arrivals));
        return arrivals;
    }
}
