using Murmur.Events;
using Murmur.Topics;

namespace Murmur.AgentFramework;

/// <summary>How a <see cref="MurmurTopicAgent"/> hands work to a Murmur mesh and decides it is done.</summary>
public sealed record MurmurTopicAgentOptions
{
    /// <summary>The agent's name in Agent Framework (workflows show it).</summary>
    public required string Name { get; init; }

    /// <summary>What the mesh does, for the orchestrating framework.</summary>
    /// <value>null.</value>
    public string? Description { get; init; }

    /// <summary>The topic every session works in; null gives each new session a topic of its own, <see cref="TopicPrefix"/> + a random id.</summary>
    /// <value>null.</value>
    public string? Topic { get; init; }

    /// <summary>The start of the name of a session's own topic.</summary>
    /// <value><c>task-</c>.</value>
    public string TopicPrefix { get; init; } = "task-";

    /// <summary>The consistency mode of topics the agent opens.</summary>
    /// <value><see cref="Consistency.Eventual"/>.</value>
    public Consistency Consistency { get; init; } = Consistency.Eventual;

    /// <summary>
    /// Called once per session, when its topic is first opened: starts the task on the mesh — spawns the agents that
    /// work on the topic here, or asks other nodes to (a tool mesh's placement, a control-topic announcement).
    /// </summary>
    /// <value>null: the agents are already on the topic (or join it by themselves).</value>
    public Func<MurmurNode, Topic, CancellationToken, Task>? StartTask { get; init; }

    /// <summary>The agent the request is addressed to (<c>"to"</c> in the <c>MESSAGE</c>), and whose <c>TASK_COMPLETE</c> ends the run.</summary>
    /// <value>null: the request is addressed to nobody in particular, and any other agent's <c>TASK_COMPLETE</c> ends the run.</value>
    public string? To { get; init; }

    /// <summary>Decides which event ends a run; it is only asked about events that causally follow the run's request.</summary>
    /// <value>null: a <c>TASK_COMPLETE</c> of <see cref="To"/> (or of any other agent when it is null).</value>
    public Func<AgentEvent, bool>? CompletesWhen { get; init; }

    /// <summary>The actor that publishes the requests: <c>{Name}_Client</c> when null. One per session topic on the node.</summary>
    /// <value>null.</value>
    public string? ClientActor { get; init; }

    /// <summary>How long a run may wait for its end; then it fails with a <see cref="TimeoutException"/>.</summary>
    /// <value>10 minutes.</value>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
}
