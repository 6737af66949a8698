using Murmur.Causality;
using Murmur.Cli.Commands;
using Murmur.Events;

namespace Murmur.Cli.Trace;

/// <summary>
/// The space-time diagram of a log: events in delivery order on one lane per roster member, with the
/// arrows between them and the strict-round barriers.
/// </summary>
internal sealed class TraceModel
{
    private TraceModel(Roster roster, CausalReport report, List<TraceNode> nodes)
    {
        Roster = roster;
        Report = report;
        Nodes = nodes;
        Arrows = BuildArrows(nodes);
        Barriers = BuildBarriers(nodes);
    }

    /// <summary>The lanes, in roster order.</summary>
    public Roster Roster { get; }

    /// <summary>What delivery found (rejected and undeliverable lines included).</summary>
    public CausalReport Report { get; }

    /// <summary>The delivered events, in delivery order.</summary>
    public IReadOnlyList<TraceNode> Nodes { get; }

    /// <summary>Lane segments, causal arrows and <c>depends_on</c> arrows.</summary>
    public IReadOnlyList<TraceArrow> Arrows { get; }

    /// <summary>Where one strict round ends and the next begins.</summary>
    public IReadOnlyList<RoundBarrier> Barriers { get; }

    /// <summary>Delivers <paramref name="content"/> (one event per line) and lays the result out.</summary>
    /// <param name="content">The log's bytes.</param>
    /// <param name="roster">A fixed roster, or null to take it from the <c>JOIN</c> events.</param>
    public static TraceModel Build(ReadOnlySpan<byte> content, Roster? roster)
    {
        var report = CausalCommand.Deliver(content, roster);
        return Layout(roster ?? Roster.FromJoins(report.Delivered), report);
    }

    /// <summary>
    /// Lays out events a node already delivered, in its delivery order (a live topic's latest window): nothing is
    /// delivered again, and arrows from events before the window are left out.
    /// </summary>
    /// <param name="roster">The topic's roster: member i owns clock entry i.</param>
    /// <param name="delivered">The events, in a causal order.</param>
    public static TraceModel FromDelivered(Roster roster, IEnumerable<AgentEvent> delivered)
    {
        var report = new CausalReport();
        report.Delivered.AddRange(delivered);
        return Layout(roster, report);
    }

    private static TraceModel Layout(Roster roster, CausalReport report)
    {
        var nodes = new List<TraceNode>(report.Delivered.Count);
        foreach (var e in report.Delivered)
        {
            var lane = roster.IndexOf(e.Actor);
            if (lane < 0)
            {
                roster = roster.Add(e.Actor); // not reachable with causal delivery; kept so no event is lost
                lane = roster.Count - 1;
            }
            nodes.Add(new TraceNode(nodes.Count, lane, e));
        }
        return new TraceModel(roster, report, nodes);
    }

    private static List<TraceArrow> BuildArrows(List<TraceNode> nodes)
    {
        var arrows = new List<TraceArrow>();
        var bySlot = new Dictionary<(int Lane, ulong Entry), TraceNode>();
        var byId = new Dictionary<string, TraceNode>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            bySlot.TryAdd((node.Lane, node.OwnEntry), node);
            byId.TryAdd(node.Event.EventId, node);
        }
        foreach (var node in nodes)
        {
            var clock = node.Event.Clock;
            var previous = node.OwnEntry > 1 && bySlot.TryGetValue((node.Lane, node.OwnEntry - 1), out var p) ? p : null;
            if (previous is not null)
            {
                arrows.Add(new TraceArrow(previous, node, ArrowKind.Lane));
            }
            for (var j = 0; j < clock.Length; j++)
            {
                var entry = clock[j];
                if (j == node.Lane || entry == 0 || (previous is not null && previous.Event.Clock[j] >= entry))
                {
                    continue; // own lane, nothing seen, or already implied by the actor's previous event
                }
                if (bySlot.TryGetValue((j, entry), out var from))
                {
                    arrows.Add(new TraceArrow(from, node, ArrowKind.Causal));
                }
            }
            foreach (var id in node.Event.DependsOn.Distinct(StringComparer.Ordinal))
            {
                if (byId.TryGetValue(id, out var from) && from.Index < node.Index)
                {
                    arrows.Add(new TraceArrow(from, node, ArrowKind.DependsOn));
                }
            }
        }
        return arrows;
    }

    private static List<RoundBarrier> BuildBarriers(List<TraceNode> nodes)
    {
        var barriers = new List<RoundBarrier>();
        int? highest = null;
        foreach (var node in nodes)
        {
            if (node.Event.Round is not { } round)
            {
                continue;
            }
            if (highest is { } h && round > h)
            {
                barriers.Add(new RoundBarrier(node.Index - 1, round));
            }
            if (highest is null || round > highest)
            {
                highest = round;
            }
        }
        return barriers;
    }
}
