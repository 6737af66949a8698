using Microsoft.Extensions.Logging;
using Murmur.Agents;
using Murmur.Supervision;

namespace Murmur.Runtime;

/// <summary>
/// One agent process: its handle, mailbox, scheduler work item, supervisor of its children and the
/// context its agent sees — one object, so that an idle agent costs one allocation besides the agent.
/// </summary>
/// <remarks>
/// Threading: a process runs at most one turn at a time (<see cref="_scheduled"/> is set while a turn is
/// queued or running, under the mailbox lock). Fields marked "own turn" are touched only from the turn;
/// mailbox fields only under the mailbox lock (<c>EnterMailbox</c>/<c>ExitMailbox</c>; never held while calling out of the runtime). Cross-process requests are always system messages.
/// </remarks>
internal sealed partial class AgentProcess : AgentRef, IAgentContext
{
    private readonly AgentRuntime _runtime;
    private readonly AgentProcess? _parent;
    private readonly Func<Agent> _factory;
    private readonly SpawnOptions _options;
    private readonly AgentId _id;
    private Agent? _agent;                     // own turn
    private int _status;                       // ProcessStatus; written by the turn (or Kill), read anywhere
    private bool _stopRequested;               // own turn
    private AgentRef? _sender;                 // own turn
    private List<AgentProcess>? _children;     // guarded by lock (_children) once created
    private ProcessExtras? _extras;            // see ProcessExtras for each field's guard
    private ExitReason? _exitReason;           // set once, at termination

    internal AgentProcess(AgentRuntime runtime, AgentProcess? parent, AgentId id, Func<Agent> factory, SpawnOptions options)
    {
        _runtime = runtime;
        _parent = parent;
        _id = id;
        _factory = factory;
        _options = options;
    }

    /// <inheritdoc/>
    public override AgentId Id => _id;

    /// <inheritdoc/>
    public override bool IsAlive => Status != ProcessStatus.Terminated;

    internal ProcessStatus Status => (ProcessStatus)Volatile.Read(ref _status);

    internal SpawnOptions Options => _options;

    internal ExitReason? ExitReason => _exitReason;

    internal TimeSpan ShutdownTimeout => _options.ShutdownTimeout ?? _runtime.Options.ShutdownTimeout;

    private ProcessExtras Extras => _extras ??= new ProcessExtras();

    private SupervisorStrategy Strategy => _agent?.ChildStrategy ?? _options.Supervisor ?? _runtime.Options.DefaultSupervisor;

    /// <summary>Moves to <paramref name="next"/> unless terminated (termination is final, also against a late turn of a killed process).</summary>
    private bool TrySetStatus(ProcessStatus next)
    {
        while (true)
        {
            var current = Volatile.Read(ref _status);
            if (current == (int)ProcessStatus.Terminated)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _status, (int)next, current) == current)
            {
                return true;
            }
        }
    }

    // ---- IAgentContext ----

    AgentRef IAgentContext.Self => this;

    AgentRef? IAgentContext.Parent => _parent;

    AgentRef? IAgentContext.Sender => _sender;

    AgentRuntime IAgentContext.Runtime => _runtime;

    ILogger IAgentContext.Logger => _runtime.AgentLogger;

    TimeProvider IAgentContext.TimeProvider => _runtime.TimeProvider;

    IReadOnlyList<AgentRef> IAgentContext.Children => SnapshotChildren();

    bool IAgentContext.TrapExit
    {
        get => _extras?.TrapExit ?? false;
        set => Extras.TrapExit = value;
    }

    AgentRef IAgentContext.Spawn(Func<Agent> factory, SpawnOptions? options)
        => SpawnChild(AgentId.Anonymous(_runtime.NextSerial()), factory, options, null);

    AgentRef IAgentContext.Spawn(AgentId id, Func<Agent> factory, SpawnOptions? options)
        => SpawnChild(id, factory, options, null);

    async Task<AgentRef> IAgentContext.SpawnAsync(AgentId id, Func<Agent> factory, SpawnOptions? options, CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var child = SpawnChild(id, factory, options, started);
        await started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return child;
    }

    void IAgentContext.Send(AgentRef target, object message)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Post(message, this);
    }

    void IAgentContext.Reply(object message)
    {
        if (_sender is { } sender)
        {
            sender.Post(message, this);
        }
        else
        {
            _runtime.DeadLetter(_id, message, "reply without a sender");
        }
    }

    Task<TReply> IAgentContext.AskAsync<TReply>(AgentRef target, object message, TimeSpan timeout, CancellationToken cancellationToken)
        => _runtime.AskAsync<TReply>(target, message, timeout, cancellationToken);

    void IAgentContext.Monitor(AgentRef target) => AsProcess(target).PostSystem(new WatchSignal(this, add: true));

    void IAgentContext.Demonitor(AgentRef target) => AsProcess(target).PostSystem(new WatchSignal(this, add: false));

    void IAgentContext.Link(AgentRef target)
    {
        var other = AsProcess(target);
        if (ReferenceEquals(other, this))
        {
            return;
        }
        var links = Extras.Links ??= [];
        if (!links.Contains(other))
        {
            links.Add(other);
        }
        other.PostSystem(new LinkSignal(this, add: true));
    }

    void IAgentContext.Unlink(AgentRef target)
    {
        var other = AsProcess(target);
        _extras?.Links?.Remove(other);
        other.PostSystem(new LinkSignal(this, add: false));
    }

    void IAgentContext.Stop() => _stopRequested = true;

    Task IAgentContext.StopAsync(AgentRef child)
    {
        var process = AsProcess(child);
        if (!ReferenceEquals(process._parent, this))
        {
            throw new InvalidOperationException($"'{child.Id}' is not a child of '{_id}'; an agent stops only its own children (or itself with Stop()).");
        }
        return TerminateChildAsync(process, Murmur.Agents.ExitReason.Shutdown).AsTask();
    }

    private static AgentProcess AsProcess(AgentRef target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target as AgentProcess
            ?? throw new ArgumentException($"'{target.Id}' is not an agent process (a reply address cannot be monitored or linked).", nameof(target));
    }

    internal AgentProcess SpawnChild(AgentId id, Func<Agent> factory, SpawnOptions? options, TaskCompletionSource? started)
    {
        ArgumentNullException.ThrowIfNull(factory);
        options ??= SpawnOptions.Default;
        if (!ReferenceEquals(options, SpawnOptions.Default))
        {
            options.Validate();
        }
        var child = new AgentProcess(_runtime, this, id, factory, options);
        if (id.IsNamed)
        {
            _runtime.Register(child);
        }
        var children = _children ?? Interlocked.CompareExchange(ref _children, [], null) ?? _children!;
        lock (children)
        {
            children.Add(child);
        }
        child.PostSystem(new StartSignal(started, initial: true));
        return child;
    }

    private List<AgentRef> SnapshotChildren()
    {
        var children = _children;
        if (children is null)
        {
            return [];
        }
        lock (children)
        {
            return [.. children.Where(c => c.IsAlive)];
        }
    }

    private List<AgentProcess> SnapshotChildProcesses()
    {
        var children = _children;
        if (children is null)
        {
            return [];
        }
        lock (children)
        {
            return [.. children];
        }
    }

    /// <summary>O(1): a child leaves the list only by terminating.</summary>
    private bool IsChild(AgentProcess child) => ReferenceEquals(child._parent, this) && child.IsAlive;

    private void RemoveChild(AgentProcess child)
    {
        var children = _children;
        if (children is null)
        {
            return;
        }
        lock (children)
        {
            // Children mostly end in reverse start order (shutdown), so search from the end.
            var index = children.LastIndexOf(child);
            if (index >= 0)
            {
                children.RemoveAt(index);
            }
        }
    }
}
