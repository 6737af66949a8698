using Microsoft.Agents.AI;
using Murmur.AI.Tools;
using Murmur.Agents;
using Murmur.Topics;

namespace Murmur.AgentFramework;

/// <summary>Spawns Microsoft Agent Framework agents on a <see cref="MurmurNode"/>.</summary>
public static class MurmurNodeAgentFrameworkExtensions
{
    /// <summary>
    /// Runs <paramref name="agent"/> as the supervised Murmur process <paramref name="id"/> on <paramref name="topic"/>
    /// (see <see cref="AgentFrameworkAgent"/>); a restart (by its supervisor, or of the node) resumes its conversation
    /// from the latest session it published.
    /// </summary>
    public static Task<AgentRef> SpawnAsync(this MurmurNode node, AgentId id, AIAgent agent, Topic topic, AgentFrameworkAgentOptions? options = null, SpawnOptions? spawnOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(topic);
        (options ?? AgentFrameworkAgentOptions.Default).Validate();
        var tools = node.Tools();
        return node.SpawnAsync(id, () => new AgentFrameworkAgent(agent, tools, options, topic), topic, spawnOptions, cancellationToken);
    }
}
