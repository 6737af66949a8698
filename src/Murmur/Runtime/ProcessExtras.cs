using Murmur.Agents;

namespace Murmur.Runtime;

/// <summary>
/// The rarely used parts of a process, allocated on first use so that an idle agent that neither monitors,
/// links nor supervises stays small.
/// </summary>
internal sealed class ProcessExtras
{
    /// <summary>Who gets a <see cref="Down"/> when this process terminates. Own turn only.</summary>
    public List<AgentRef>? Monitors;

    /// <summary>Linked processes. Own turn only.</summary>
    public List<AgentRef>? Links;

    /// <summary>Exit signals arrive as <see cref="Exit"/> messages. Own turn only.</summary>
    public bool TrapExit;

    /// <summary><see cref="Down"/> and <see cref="Exit"/> messages, handled before other user messages. Own turn only.</summary>
    public Queue<Envelope>? Priority;

    /// <summary>Senders waiting for space in a bounded mailbox, with their messages, in arrival order. Guarded by the mailbox lock.</summary>
    public Queue<(Envelope Envelope, TaskCompletionSource Done)>? SpaceWaiters;

    /// <summary>Work posted by layers above the runtime (<see cref="AgentWork"/>), run in turn with user messages. Own turn only.</summary>
    public Queue<AgentWork>? Work;

    /// <summary>True when a work item ran since the last batch of user messages: user messages go next, if any. Own turn only.</summary>
    public bool UserIsDue;

    /// <summary>Timestamps of this supervisor's recent restarts. Own turn only.</summary>
    public Queue<long>? Restarts;
}
