using Murmur.Events;
using Murmur.Logs;

namespace Murmur.Topics;

/// <summary>
/// Who took part in a topic, as its <c>JOIN</c> events say: the actors, and the nodes that ran them. They name the
/// snapshot and checkpoint topics kept for it, which <see cref="MurmurNode.DeleteTopicAsync(string, TopicParticipants, CancellationToken)"/>
/// deletes with it. A reader that goes through the topic anyway observes each event, instead of reading it again.
/// </summary>
public sealed class TopicParticipants
{
    private readonly HashSet<string> _actors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodes = new(StringComparer.Ordinal);

    /// <summary>The actors that joined.</summary>
    public IReadOnlySet<string> Actors => _actors;

    /// <summary>The nodes that ran them (as their <c>JOIN</c>s name them).</summary>
    public IReadOnlySet<string> Nodes => _nodes;

    /// <summary>Takes note of one of the topic's events (only <c>JOIN</c>s say anything).</summary>
    public void Observe(AgentEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (!string.Equals(e.Action, Actions.Join, StringComparison.Ordinal))
        {
            return;
        }
        _actors.Add(e.Actor);
        if (JoinPayload.NodeOf(e) is { } node)
        {
            _nodes.Add(node);
        }
    }

    /// <summary>Reads <paramref name="topic"/> once, to its current end; records that do not decode are passed over.</summary>
    /// <exception cref="EventLogException">The log failed.</exception>
    public static async Task<TopicParticipants> ReadAsync(IEventLog log, string topic, EventLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(limits);
        var participants = new TopicParticipants();
        await foreach (var entry in log.ReadAsync(topic, 1, follow: false, cancellationToken).ConfigureAwait(false))
        {
            if (AgentEventCodec.TryDecode(entry.Data.Span, limits, null, out var e, out _))
            {
                participants.Observe(e!);
            }
        }
        return participants;
    }
}
