using Murmur.Agents;

namespace Murmur.Runtime;

/// <summary>
/// Work that runs in an agent's turn like a message handler (a failure crashes the instance and its supervisor
/// decides), but travels as a system message: it is never refused, dropped or made to wait by a bounded mailbox,
/// and it survives a restart (it runs on the next instance). Layers above the runtime (topics) use it to hand agents
/// their work without the runtime knowing what the work is.
/// </summary>
/// <remarks>
/// Fairness: work items and user messages take turns — after a batch of user messages one work item runs, so a
/// stream of work never starves the mailbox and a full mailbox never starves the work. An instance of this class
/// must not be posted again before it ran (it is linked into the system queue); its owner guards that with a flag.
/// </remarks>
internal abstract class AgentWork : SystemMessage
{
    /// <summary>Runs the work on the current agent instance, in its turn.</summary>
    public abstract ValueTask RunAsync(Agent agent, CancellationToken cancellationToken);
}
