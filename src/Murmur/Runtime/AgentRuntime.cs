using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Murmur.Agents;
using Murmur.Supervision;

namespace Murmur.Runtime;

/// <summary>
/// One node: hosts agent processes under a root supervisor and schedules them on the .NET thread pool.
/// </summary>
/// <remarks>
/// Thread-safe. Dispose it to shut down gracefully: children stop before their parents, each within its
/// shutdown timeout, and queued messages are dropped or drained as <see cref="AgentRuntimeOptions.ShutdownMailbox"/> says.
/// The runtime owns no thread of its own.
/// </remarks>
public sealed partial class AgentRuntime : IAsyncDisposable
{
    private readonly ConcurrentDictionary<AgentId, AgentProcess> _named = new();
    private readonly AgentProcess _root;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<ITimer> _timers = [];
    private long _serial;
    private long _deadLetters;
    private long _dropped;
    private int _disposing;
    private RuntimeFailedException? _failure;

    private AgentRuntime(AgentRuntimeOptions options)
    {
        Options = options;
        RuntimeLogger = options.LoggerFactory.CreateLogger("Murmur.Runtime");
        AgentLogger = options.LoggerFactory.CreateLogger("Murmur.Agents");
        Random = options.RandomSeed is { } seed ? new Random(seed) : new Random();
        _root = new AgentProcess(this, null, AgentId.Reserved("$root"), static () => new RootAgent(),
            new SpawnOptions { Supervisor = options.RootSupervisor, ShutdownTimeout = Timeout.InfiniteTimeSpan });
        _root.PostSystem(new StartSignal(null, initial: true));
    }

    /// <summary>Creates and starts a runtime.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public static AgentRuntime Create(AgentRuntimeOptions? options = null)
    {
        options ??= AgentRuntimeOptions.Default;
        options.Validate();
        return new AgentRuntime(options);
    }

    /// <summary>The options the runtime was created with.</summary>
    public AgentRuntimeOptions Options { get; }

    /// <summary>The runtime's clock.</summary>
    public TimeProvider TimeProvider => Options.TimeProvider;

    /// <summary>Completes when the runtime has stopped; faults with <see cref="RuntimeFailedException"/> when a failure escalated out of the root.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Messages that reached no agent (sent to a terminated agent, or queued when it stopped).</summary>
    public long DeadLetterCount => Interlocked.Read(ref _deadLetters);

    /// <summary>Messages dropped by full bounded mailboxes.</summary>
    public long DroppedMessageCount => Interlocked.Read(ref _dropped);

    /// <summary>The agents spawned directly on the runtime (children of the root supervisor), in start order.</summary>
    public IReadOnlyList<AgentRef> Agents => ((IAgentContext)_root).Children;

    internal ILogger RuntimeLogger { get; }

    internal ILogger AgentLogger { get; }

    internal Random Random { get; }

    internal CancellationToken HandlerToken => _shutdown.Token;

    /// <summary>True once a shutdown with <see cref="ShutdownMailboxPolicy.Drop"/> began: no process starts another user message.</summary>
    internal bool DropsUserMessages => _dropping;

    private volatile bool _dropping;

    /// <summary>Test hook: called after a delayed action (a backoff restart) was scheduled.</summary>
    internal Action<TimeSpan>? TimerScheduled { get; set; }

    /// <summary>Spawns an anonymous agent under the root supervisor.</summary>
    public AgentRef Spawn(Func<Agent> factory, SpawnOptions? options = null)
    {
        ThrowIfStopping();
        return _root.SpawnChild(AgentId.Anonymous(NextSerial()), factory, options, null);
    }

    /// <summary>Spawns a named agent under the root supervisor; its first start runs in the background.</summary>
    /// <exception cref="AgentIdConflictException">A live agent already has <paramref name="id"/>.</exception>
    public AgentRef Spawn(AgentId id, Func<Agent> factory, SpawnOptions? options = null)
    {
        ThrowIfStopping();
        return _root.SpawnChild(id, factory, options, null);
    }

    /// <summary>Spawns a named agent under the root supervisor and waits until its <see cref="Agent.OnStartedAsync"/> completed.</summary>
    /// <exception cref="AgentStartException">The factory or <see cref="Agent.OnStartedAsync"/> threw; the agent was not kept.</exception>
    public async Task<AgentRef> SpawnAsync(AgentId id, Func<Agent> factory, SpawnOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfStopping();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var agent = _root.SpawnChild(id, factory, options, started);
        await started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return agent;
    }

    /// <summary>Finds a live named agent.</summary>
    public bool TryGet(AgentId id, [MaybeNullWhen(false)] out AgentRef agent)
    {
        if (_named.TryGetValue(id, out var process) && process.IsAlive)
        {
            agent = process;
            return true;
        }
        agent = null;
        return false;
    }

    /// <summary>Shuts an agent down (as its supervisor would: it is not restarted) and waits until it terminated.</summary>
    public async Task StopAsync(AgentRef agent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agent);
        if (agent is not AgentProcess process || !process.IsAlive)
        {
            return;
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.PostSystem(new TerminateSignal(ExitReason.Shutdown, done));
        var timeout = process.ShutdownTimeout;
        try
        {
            await (timeout == Timeout.InfiniteTimeSpan ? done.Task : done.Task.WaitAsync(timeout, TimeProvider)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            RuntimeLogMessages.Killed(RuntimeLogger, process.Id, timeout);
            process.Kill();
        }
    }

    /// <summary>Sends <paramref name="message"/> and waits for the reply, which must be a <typeparamref name="TReply"/>.</summary>
    /// <exception cref="TimeoutException">No reply within <paramref name="timeout"/> (default <see cref="AgentRuntimeOptions.AskTimeout"/>).</exception>
    /// <exception cref="InvalidOperationException">The target is not alive.</exception>
    /// <exception cref="InvalidCastException">The reply is not a <typeparamref name="TReply"/>.</exception>
    public async Task<TReply> AskAsync<TReply>(AgentRef target, object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested(); // an ask cancelled before it starts sends nothing
        var wait = timeout ?? Options.AskTimeout;
        var future = new FutureRef();
        if (!target.Post(message, future))
        {
            throw new InvalidOperationException($"Cannot ask '{target.Id}': it is not alive.");
        }
        object reply;
        future.Arm(wait, TimeProvider, cancellationToken);
        try
        {
            reply = await future.Reply.ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"'{target.Id}' did not reply within {wait.TotalMilliseconds:0.###} ms.");
        }
        finally
        {
            future.Disarm();
        }
        return reply is TReply typed ? typed
            : throw new InvalidCastException($"'{target.Id}' replied with {reply.GetType().Name}; the ask expected {typeof(TReply).Name}.");
    }

    internal long NextSerial() => Interlocked.Increment(ref _serial);

    internal void Register(AgentProcess process)
    {
        ThrowIfStopping();
        if (_named.TryAdd(process.Id, process))
        {
            return;
        }
        // A terminated holder leaves the registry as it finalizes; it may not have done so yet.
        if (_named.TryGetValue(process.Id, out var holder) && !holder.IsAlive
            && _named.TryUpdate(process.Id, process, holder))
        {
            return;
        }
        throw new AgentIdConflictException(process.Id);
    }

    internal void Unregister(AgentProcess process)
        => _named.TryRemove(new KeyValuePair<AgentId, AgentProcess>(process.Id, process));

    /// <summary>Test hook: called after each dead letter with the new count.</summary>
    internal Action<long>? DeadLetterObserved { get; set; }

    internal void DeadLetter(AgentId target, object message, string why)
    {
        var count = Interlocked.Increment(ref _deadLetters); // not inside ?.Invoke(...): its arguments are skipped when null
        DeadLetterObserved?.Invoke(count);
        RuntimeLogMessages.DeadLetter(RuntimeLogger, target, message.GetType().Name, why);
    }

    internal void CountDropped(AgentId target, MailboxOptions mailbox)
    {
        Interlocked.Increment(ref _dropped);
        RuntimeLogMessages.Dropped(RuntimeLogger, target, mailbox.Capacity, mailbox.FullMode);
    }

    /// <summary>A process other than the root terminated for good (layers above the runtime forget what they kept for it).</summary>
    internal event Action<AgentRef>? AgentTerminated;

    internal void OnTerminated(AgentProcess process)
    {
        if (!ReferenceEquals(process, _root))
        {
            AgentTerminated?.Invoke(process);
        }
        if (ReferenceEquals(process, _root))
        {
            if (_failure is { } failure)
            {
                _completion.TrySetException(failure);
            }
            else
            {
                _completion.TrySetResult();
            }
        }
    }

    internal void Schedule(TimeSpan delay, Action action)
    {
        lock (_timers)
        {
            if (_shutdown.IsCancellationRequested && _disposing != 0)
            {
                return;
            }
            _timers.Add(TimeProvider.CreateTimer(static state => ((Action)state!)(), action, delay, Timeout.InfiniteTimeSpan));
        }
        TimerScheduled?.Invoke(delay);
    }

    private void ThrowIfStopping()
    {
        if (Volatile.Read(ref _disposing) != 0 || _failure is not null)
        {
            throw new InvalidOperationException(_failure is null
                ? "The runtime is shutting down; it accepts no new agents."
                : $"The runtime has stopped: {_failure.Message}");
        }
    }
}
