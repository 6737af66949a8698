using Murmur.Agents;
using Murmur.Causality;
using Murmur.Events;

namespace Murmur.Topics;

/// <summary>
/// What an agent is handed by <see cref="Agent.OnEventsAsync"/>: the topic's events it has not seen yet,
/// in causal order (eventual topics) or in the log's order of closed rounds (strict topics).
/// </summary>
/// <remarks>Use it only inside the handler it was passed to.</remarks>
public sealed class TopicView
{
    private VectorClock? _clock;

    internal TopicView(TopicMember member, IReadOnlyList<AgentEvent> events, bool isReplay, int? round = null, VectorClock? clock = null)
    {
        _clock = clock;
        Member = member;
        New = events;
        IsReplay = isReplay;
        Round = round;
    }

    /// <summary>Where the view starts and ends in the topic's delivered history (absolute indices).</summary>
    internal long Start { get; init; }

    internal long End { get; init; }

    /// <summary>
    /// In strict topics, the round this view opens (0 for the first): it holds exactly the events of earlier rounds,
    /// and what the member publishes from it carries this <see cref="AgentEvent.Round"/>. Null in eventual topics.
    /// </summary>
    public int? Round { get; }

    /// <summary>The agent's membership of the topic.</summary>
    public TopicMember Member { get; }

    /// <summary>The topic's name.</summary>
    public string Topic => Member.Topic;

    /// <summary>The events not seen before, including the agent's own, in delivery order.</summary>
    public IReadOnlyList<AgentEvent> New { get; }

    /// <summary>True when these events were delivered before to a previous instance (a restart replays the topic).</summary>
    public bool IsReplay { get; }

    /// <summary>The agent's vector clock after these events: everything it has now seen.</summary>
    public VectorClock Clock => _clock ??= Member.Delivery.ClockAfter(End);

    /// <summary>The new events sent by other agents.</summary>
    public IEnumerable<AgentEvent> FromOthers => New.Where(e => !string.Equals(e.Actor, Member.Actor, StringComparison.Ordinal));

    /// <summary>Starts speculative work that depends on <paramref name="dependsOn"/>; see <see cref="Speculation"/>.</summary>
    public Speculation Speculate(params AgentEvent[] dependsOn)
    {
        ArgumentNullException.ThrowIfNull(dependsOn);
        return Member.Speculate([.. dependsOn.Select(e => e.EventId)]);
    }

    /// <summary>Publishes to the topic; see <see cref="TopicMember.PublishAsync(string, object?, IReadOnlyList{string}?, CancellationToken)"/>.</summary>
    public Task<AgentEvent> PublishAsync(string action, object? payload = null, IReadOnlyList<string>? dependsOn = null, CancellationToken cancellationToken = default)
        => Member.PublishAsync(action, payload, dependsOn, cancellationToken);
}
