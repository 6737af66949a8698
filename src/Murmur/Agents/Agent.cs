using System.Collections.Concurrent;
using System.Reflection;
using Murmur.Runtime;
using Murmur.Supervision;
using Murmur.Topics;

namespace Murmur.Agents;

/// <summary>
/// A lightweight, failure-isolated process: private state, a mailbox and handlers.
/// Subclass it and override <see cref="ReceiveAsync"/>; the runtime creates instances through the
/// factory given at spawn, again for every restart.
/// </summary>
/// <remarks>
/// The runtime calls the handlers of one instance one at a time, never concurrently: an async handler
/// keeps the agent's turn until it completes. An exception thrown by a handler never reaches the
/// thread pool or another agent; it is reported to the agent's supervisor as the exit reason.
/// </remarks>
public abstract class Agent
{
    private AgentProcess? _process;
    private TopicMember[] _topics = [];

    /// <summary>The agent's view of the runtime: itself, its parent, sending, spawning, monitoring.</summary>
    /// <exception cref="InvalidOperationException">Accessed before the runtime started the agent (e.g. in a constructor).</exception>
    protected IAgentContext Context => _process ?? throw new InvalidOperationException(
        "The agent's Context is available from OnStartedAsync on; it is not set yet in the constructor.");

    /// <summary>
    /// The strategy this agent applies to its own children; <see langword="null"/> means the one given in
    /// <see cref="SpawnOptions.Supervisor"/>, else the runtime's default.
    /// </summary>
    protected virtual SupervisorStrategy? SupervisorStrategy => null;

    internal SupervisorStrategy? ChildStrategy => SupervisorStrategy;

    internal void Attach(AgentProcess process) => _process = process;

    // The runtime and the topic layer call the protected handlers through these, so subclasses in any assembly
    // override them as plain `protected`. How topic events reach OnEventsAsync is the topic layer's business
    // (MemberDelivery, run as AgentWork in the agent's turn); the runtime only runs the work.
    internal async ValueTask InvokeStartedAsync(CancellationToken cancellationToken)
    {
        await OnStartedAsync(cancellationToken).ConfigureAwait(false);
        // A restarted instance rebuilds its state from its topics (snapshot, then replay) before it handles any message.
        foreach (var member in _topics)
        {
            await member.Delivery.StartInstanceAsync(this, cancellationToken).ConfigureAwait(false);
        }
        await CompleteStrictRoundsAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask CompleteStrictRoundsAsync(CancellationToken cancellationToken)
    {
        foreach (var member in _topics)
        {
            await member.CompleteIfPublishedAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal ValueTask InvokeEventsAsync(TopicView view, CancellationToken cancellationToken) => OnEventsAsync(view, cancellationToken);

    /// <summary>
    /// Opt-in snapshots: the agent's state in <paramref name="topic"/>, to be saved so that a restarted instance (or the
    /// instance on a node that took the agent over) does not need the topic's whole history. Return <see langword="null"/>
    /// to skip one. The runtime calls it after a handler, every <see cref="MurmurNodeOptions.SnapshotEvery"/> events; the
    /// state is serialized as JSON (web defaults) and must hold everything <see cref="RestoreAsync"/> needs.
    /// </summary>
    /// <returns>The state, or <see langword="null"/>. The default takes no snapshots.</returns>
    protected virtual ValueTask<object?> SnapshotAsync(TopicMember topic, CancellationToken cancellationToken) => ValueTask.FromResult<object?>(null);

    /// <summary>
    /// Restores the state saved by <see cref="SnapshotAsync"/> (or <see cref="TopicMember.SaveSnapshotAsync"/>) when an
    /// instance starts; it is then handed only the topic's events after the snapshot. Called only on agents that override
    /// <see cref="SnapshotAsync"/>.
    /// </summary>
    protected virtual ValueTask RestoreAsync(TopicMember topic, System.Text.Json.JsonElement state, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    internal ValueTask<object?> InvokeSnapshotAsync(TopicMember topic, CancellationToken cancellationToken) => SnapshotAsync(topic, cancellationToken);

    internal ValueTask InvokeRestoreAsync(TopicMember topic, System.Text.Json.JsonElement state, CancellationToken cancellationToken) => RestoreAsync(topic, state, cancellationToken);

    /// <summary>
    /// True (the default) when a new instance of this agent — after a crash, or on a node that restarted — is handed
    /// every event at or before its last own event in an eventual topic as replay (<see cref="TopicView.IsReplay"/>),
    /// not as new work: an earlier instance acted on them already (had it acted, its action follows them causally), so
    /// an agent that starts nothing on replay does nothing twice. Override to return false to be handed them live.
    /// </summary>
    /// <remarks>
    /// An event published while handling a view carries the clock of the whole view, so the rest of a view the earlier
    /// instance crashed in after publishing counts as acted on; publish after handling the view's events, or opt out.
    /// </remarks>
    protected virtual bool ReplaysUntilLastOwnEvent => true;

    internal bool ReplaysEarlierWork => ReplaysUntilLastOwnEvent;

    /// <summary>True when this agent's class overrides <see cref="SnapshotAsync"/> (cached per class).</summary>
    internal bool TakesSnapshots => SnapshotTakers.GetOrAdd(GetType(), static type =>
        type.GetMethod(nameof(SnapshotAsync), BindingFlags.Instance | BindingFlags.NonPublic, [typeof(TopicMember), typeof(CancellationToken)])
            ?.DeclaringType != typeof(Agent));

    private static readonly ConcurrentDictionary<Type, bool> SnapshotTakers = new();

    /// <summary>A speculation of this agent aborted: its side effects were discarded; re-plan here.</summary>
    protected virtual ValueTask OnSpeculationAbortedAsync(Speculation aborted, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>A speculation of this agent committed: its journaled side effects ran.</summary>
    protected virtual ValueTask OnSpeculationCommittedAsync(Speculation committed, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    internal ValueTask InvokeSpeculationAbortedAsync(Speculation aborted, CancellationToken cancellationToken) => OnSpeculationAbortedAsync(aborted, cancellationToken);

    internal ValueTask InvokeSpeculationCommittedAsync(Speculation committed, CancellationToken cancellationToken) => OnSpeculationCommittedAsync(committed, cancellationToken);

    private async ValueTask ReceiveThenCompleteAsync(object message, CancellationToken cancellationToken)
    {
        await ReceiveAsync(message, cancellationToken).ConfigureAwait(false);
        await CompleteStrictRoundsAsync(cancellationToken).ConfigureAwait(false);
    }

    internal ValueTask InvokeReceiveAsync(object message, CancellationToken cancellationToken)
        => _topics.Length == 0 ? ReceiveAsync(message, cancellationToken) : ReceiveThenCompleteAsync(message, cancellationToken);

    internal void AttachTopics(TopicMember[] members)
    {
        _topics = members;
        foreach (var member in members)
        {
            member.Instance = this;
        }
    }

    internal ValueTask InvokeStoppedAsync(ExitReason reason, CancellationToken cancellationToken) => OnStoppedAsync(reason, cancellationToken);

    /// <summary>True when this agent's class overrides <see cref="OnStoppedAsync"/> (cached per class).</summary>
    internal bool HasStopHandler => StopHandlers.GetOrAdd(GetType(), static type =>
        type.GetMethod(nameof(OnStoppedAsync), BindingFlags.Instance | BindingFlags.NonPublic, [typeof(ExitReason), typeof(CancellationToken)])
            ?.DeclaringType != typeof(Agent));

    private static readonly ConcurrentDictionary<Type, bool> StopHandlers = new();

    /// <summary>Runs before any message is handled, after every (re)start.</summary>
    /// <param name="cancellationToken">Cancelled when the runtime shuts down.</param>
    protected virtual ValueTask OnStartedAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>The topics this agent is a member of (set when it was spawned on a <see cref="MurmurNode"/>).</summary>
    protected IReadOnlyList<TopicMember> Topics => _topics;

    /// <summary>This agent's membership of the topic named <paramref name="topic"/>.</summary>
    /// <exception cref="InvalidOperationException">The agent is not a member of that topic.</exception>
    protected TopicMember Topic(string topic)
    {
        foreach (var member in _topics)
        {
            if (string.Equals(member.Topic, topic, StringComparison.Ordinal))
            {
                return member;
            }
        }
        throw new InvalidOperationException($"This agent is not a member of topic '{topic}'; it is a member of [{string.Join(", ", _topics.Select(t => t.Topic))}].");
    }

    /// <summary>Handles one message. <see cref="Down"/> and <see cref="Exit"/> notifications arrive here too. The default ignores it.</summary>
    /// <param name="message">The message; <see cref="IAgentContext.Sender"/> tells who sent it.</param>
    /// <param name="cancellationToken">Cancelled when the runtime shuts down.</param>
    protected virtual ValueTask ReceiveAsync(object message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Handles a topic's new events. Eventual topics hand over each event once its causes were delivered;
    /// strict topics hand over closed rounds. Either way: a consistent view in, events out (publish through the view).
    /// After a restart the new instance is first handed the topic's history (<see cref="TopicView.IsReplay"/>).
    /// </summary>
    protected virtual ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Runs when this instance ends: on stop, before a restart replaces it, or after a crash.</summary>
    /// <param name="reason">Why the instance ends.</param>
    /// <param name="cancellationToken">Cancelled when the runtime shuts down.</param>
    protected virtual ValueTask OnStoppedAsync(ExitReason reason, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Creates an agent from a handler delegate, for small agents that need no class of their own.</summary>
    public static Func<Agent> FromHandler(Func<IAgentContext, object, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return () => new DelegateAgent(handler);
    }

    private sealed class DelegateAgent(Func<IAgentContext, object, ValueTask> handler) : Agent
    {
        protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
            => handler(Context, message);
    }
}
