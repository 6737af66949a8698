namespace Murmur;

/// <summary>
/// The wake-up a topic posts to a member's mailbox when it has new events. It carries no events: the agent
/// pulls what it has not seen when it handles the wake-up, so many deliveries coalesce into one view and a
/// restarted instance replays the topic from the start.
/// </summary>
internal sealed class TopicDelivery(TopicMember member)
{
    public TopicMember Member { get; } = member;
}
