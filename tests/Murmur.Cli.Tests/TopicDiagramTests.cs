using System.Text.RegularExpressions;
using Murmur.Causality;
using Murmur.Cli.Trace;
using Murmur.Events;

namespace Murmur.Cli.Tests;

/// <summary>The dashboard's diagram of a topic's latest events: <c>murmur trace</c>'s layout over a window, with a time axis.</summary>
public sealed class TopicDiagramTests
{
    private static readonly Roster AB = Roster.Of("A", "B");
    private const long Noon = 1_767_268_800_000; // 2026-01-01 12:00:00 UTC

    private static AgentEvent Event(string id, string actor, long? at, params ulong[] clock)
        => new(id, actor, "NOTE", "{}"u8.ToArray(), VectorClock.FromEntries(clock)) { Timestamp = at };

    private static int Count(string svg, string pattern) => Regex.Matches(svg, pattern).Count;

    [Fact]
    public void AWindowOfDeliveredEvents_KeepsTheRostersLanes_AndDropsArrowsFromBeforeIt()
    {
        // a1 (not in the window) -> b1 -> a2: only b1 -> a2 has both ends drawn.
        var model = TraceModel.FromDelivered(AB, [Event("b1", "B", Noon, 1, 1), Event("a2", "A", Noon, 2, 1)]);

        Assert.Equal(["A", "B"], model.Roster.Members);
        Assert.Equal([1, 0], model.Nodes.Select(n => n.Lane));
        var arrow = Assert.Single(model.Arrows);
        Assert.Equal((ArrowKind.Causal, "b1", "a2"), (arrow.Kind, arrow.From.Event.EventId, arrow.To.Event.EventId));
        Assert.Empty(model.Report.Rejected);
    }

    [Fact]
    public void TheTimeAxis_LabelsColumnsWhereTheSecondChanges_AndIgnoresTimestampsOutOfRange()
    {
        var model = TraceModel.FromDelivered(AB,
        [
            Event("a1", "A", Noon, 1),
            Event("a2", "A", Noon + 200, 2),   // same second: no label
            Event("a3", "A", Noon + 1500, 3),  // next second, two columns on: labelled
            Event("a4", "A", long.MaxValue, 4), // outside DateTimeOffset's range: a tick, no label, no crash
            Event("a5", "A", null, 5),
        ]);

        var svg = SvgDiagram.Render(model, timeAxis: true);

        Assert.Equal(5, Count(svg, "<line class=\"tick\""));
        Assert.Equal(["12:00:00", "12:00:01"], Regex.Matches(svg, "<text class=\"time\" data-i=\"\\d\"[^>]*>([^<]*)<").Select(m => m.Groups[1].Value));
        Assert.Contains("<title>2026-01-01 12:00:01.500 UTC</title>", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("time-axis", SvgDiagram.Render(model), StringComparison.Ordinal); // murmur trace draws none
    }
}
