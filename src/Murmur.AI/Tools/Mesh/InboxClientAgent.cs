using Murmur.Agents;
using Murmur.Topics;

namespace Murmur.AI.Tools.Mesh;

/// <summary>The member through which a node sends requests into another node's inbox and hears its answers.</summary>
internal sealed class InboxClientAgent(InboxClient client) : Agent
{
    protected override ValueTask OnStartedAsync(CancellationToken cancellationToken)
    {
        client.Attach(Topics[0]);
        return ValueTask.CompletedTask;
    }

    protected override ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        foreach (var e in view.New)
        {
            client.OnEvent(e);
        }
        return ValueTask.CompletedTask;
    }
}
