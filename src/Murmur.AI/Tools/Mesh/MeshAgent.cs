using Murmur.Agents;
using Murmur.Topics;

namespace Murmur.AI.Tools.Mesh;

/// <summary>A node's mesh agent (<c>tools@node</c>): member of the directory and of the node's inbox, it hands the inbox's requests to its <see cref="ToolMesh"/>.</summary>
internal sealed class MeshAgent(ToolMesh mesh) : Agent
{
    protected override ValueTask OnStartedAsync(CancellationToken cancellationToken)
    {
        mesh.Attach(Topic(ToolMeshActions.DirectoryTopic), Topic(ToolMesh.InboxTopicOf(mesh.NodeId)));
        return ValueTask.CompletedTask;
    }

    protected override ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        if (!string.Equals(view.Topic, ToolMeshActions.DirectoryTopic, StringComparison.Ordinal))
        {
            foreach (var e in view.New)
            {
                mesh.OnInboxEvent(e);
            }
        }
        return ValueTask.CompletedTask;
    }
}
