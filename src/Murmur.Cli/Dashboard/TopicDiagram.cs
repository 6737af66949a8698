using Murmur.Cli.Trace;

namespace Murmur.Cli.Dashboard;

/// <summary>
/// A followed topic's live space-time diagram: the SVG of <c>murmur trace</c> (with a time axis) over the topic's most
/// recent delivered events, one lane per member.
/// </summary>
/// <param name="Topic">The topic.</param>
/// <param name="Total">How many events the topic delivered in all.</param>
/// <param name="Shown">How many of the most recent ones are drawn (fewer than <paramref name="Total"/> when trimmed).</param>
/// <param name="Lanes">The lanes, top to bottom: the members in roster order.</param>
/// <param name="Svg">The diagram; every text from the log in it is HTML-encoded.</param>
internal sealed record TopicDiagram(string Topic, long Total, int Shown, IReadOnlyList<string> Lanes, string Svg)
{
    /// <summary>Draws <paramref name="topic"/> as it is now.</summary>
    public static TopicDiagram Of(WatchedTopic topic)
    {
        var (roster, latest, total) = topic.Window();
        var model = TraceModel.FromDelivered(roster, latest);
        return new TopicDiagram(topic.Name, total, latest.Count, model.Roster.Members, SvgDiagram.Render(model, timeAxis: true));
    }
}
