using System.Diagnostics;
using Murmur.Agents;
using Murmur.Supervision;

namespace Murmur.Runtime;

/// <summary>Start, halt, terminate; monitors and links.</summary>
internal sealed partial class AgentProcess
{
    private async ValueTask StartAsync(StartSignal start)
    {
        if (Status == ProcessStatus.Running)
        {
            start.Done?.TrySetResult();
            return;
        }
        if (Status == ProcessStatus.Suspended)
        {
            await HaltCoreAsync(Murmur.Agents.ExitReason.Shutdown).ConfigureAwait(false);
        }
        try
        {
            var agent = _factory() ?? throw new InvalidOperationException($"The factory of '{_id}' returned null.");
            agent.Attach(this);
            _agent = agent;
            await agent.InvokeStartedAsync(_runtime.HandlerToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (start.Initial)
            {
                // A first start that fails is the spawn's failure, not a crash to supervise (OTP start_child).
                RuntimeLogMessages.AgentCrashed(_runtime.AgentLogger, _id, ex);
                _agent = null;
                TrySetStatus(ProcessStatus.Halted);
                await TerminateCoreAsync(Murmur.Agents.ExitReason.Failure(ex)).ConfigureAwait(false);
                start.Done?.TrySetException(new AgentStartException(_id, ex));
                return;
            }
            TrySetStatus(ProcessStatus.Running);
            start.Done?.TrySetResult();
            Crash(ex);
            return;
        }
        TrySetStatus(ProcessStatus.Running);
        start.Done?.TrySetResult();
    }

    private async ValueTask HaltAsync(HaltSignal halt)
    {
        await HaltCoreAsync(halt.Reason).ConfigureAwait(false);
        halt.Done.TrySetResult();
    }

    private async ValueTask TerminateAsync(TerminateSignal terminate)
    {
        await TerminateCoreAsync(terminate.Reason).ConfigureAwait(false);
        terminate.Done?.TrySetResult();
    }

    /// <summary>Ends the instance: children in reverse start order, then the agent's own stop handler.</summary>
    private async ValueTask HaltCoreAsync(ExitReason reason)
    {
        if (Status is ProcessStatus.Halted or ProcessStatus.Terminated)
        {
            return;
        }
        await StopChildrenAsync().ConfigureAwait(false);
        if (reason.Kind == ExitKind.Shutdown && Status == ProcessStatus.Running
            && _runtime.Options.ShutdownMailbox == ShutdownMailboxPolicy.Drain)
        {
            await DrainAsync().ConfigureAwait(false);
        }
        if (_agent is { } agent)
        {
            try
            {
                await agent.InvokeStoppedAsync(reason, _runtime.HandlerToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                RuntimeLogMessages.StopHandlerFailed(_runtime.AgentLogger, _id, ex);
            }
        }
        _agent = null;
        TrySetStatus(ProcessStatus.Halted);
    }

    private async ValueTask DrainAsync()
    {
        while (TryDequeueUser(out var envelope))
        {
            _sender = envelope.Sender;
            try
            {
                await _agent!.InvokeReceiveAsync(envelope.Message, _runtime.HandlerToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Shutting down already: a failure while draining is logged, not supervised.
                RuntimeLogMessages.AgentCrashed(_runtime.AgentLogger, _id, ex);
            }
            _sender = null;
        }
    }

    private async ValueTask TerminateCoreAsync(ExitReason reason)
    {
        await HaltCoreAsync(reason).ConfigureAwait(false);
        FinalizeTermination(reason);
    }

    private async ValueTask StopChildrenAsync()
    {
        if (Volatile.Read(ref _children) is null)
        {
            return; // most agents never supervise: no snapshot, no timer
        }
        var children = SnapshotChildProcesses();
        if (children.Count == 0)
        {
            return;
        }
        // One timer for the whole run of stops instead of one per child (see StopDeadline).
        using var deadline = new StopDeadline(_runtime.TimeProvider);
        for (var i = children.Count - 1; i >= 0; i--)
        {
            await TerminateChildAsync(children[i], Murmur.Agents.ExitReason.Shutdown, deadline).ConfigureAwait(false);
        }
    }

    /// <summary>Terminates a child and waits up to its shutdown timeout, then abandons it.</summary>
    private async ValueTask TerminateChildAsync(AgentProcess child, ExitReason reason, StopDeadline? deadline = null)
    {
        if (!child.IsAlive)
        {
            return;
        }
        if (child.TryClaimIdleTurn())
        {
            // The child's turn is ours: terminate it right here instead of a message, a thread hop and a wait.
            var thread = _turnThread;
            var outer = thread?.Current;
            if (thread is not null)
            {
                thread.Current = child;
            }
            ValueTask stopping;
            try
            {
                stopping = child.TerminateClaimedAsync(reason);
            }
            finally
            {
                if (thread is not null)
                {
                    thread.Current = outer;
                }
            }
            if (stopping.IsCompleted)
            {
                stopping.GetAwaiter().GetResult(); // never throws; also releases a pooled source
                return;
            }
            var claimed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _ = CompleteWhenAsync(stopping, claimed);
            await WaitOrKillAsync(child, claimed, deadline).ConfigureAwait(false);
            return;
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        child.PostSystem(new TerminateSignal(reason, done));
        await WaitOrKillAsync(child, done, deadline).ConfigureAwait(false);
    }

    private static async Task CompleteWhenAsync(ValueTask pending, TaskCompletionSource done)
    {
        await pending.ConfigureAwait(false);
        done.TrySetResult();
    }

    /// <summary>
    /// Takes the turn of this process for its supervisor when it is idle and stopping it runs no user code
    /// that could block: running, nothing queued, no turn queued or running, no children, no stop handler,
    /// and the Drop shutdown policy (Drain would run handlers on messages arriving meanwhile). Holding the turn
    /// (<see cref="_scheduled"/>) keeps "one turn at a time": a message arriving meanwhile only queues. The
    /// caller must run <see cref="TerminateClaimedAsync"/>, which ends the turn.
    /// </summary>
    private bool TryClaimIdleTurn()
    {
        if (_runtime.Options.ShutdownMailbox != ShutdownMailboxPolicy.Drop)
        {
            return false;
        }
        Agent? agent;
        EnterMailbox();
        try
        {
            // Reading own-turn fields (_agent, _extras, _children) here is safe: no turn runs (_scheduled is
            // false), and the last one published its writes by releasing the mailbox lock in EndTurn/TakeBatch.
            if (_scheduled || _sysHead is not null || _count > 0 || _status != (int)ProcessStatus.Running
                || _agent is null || _children is { Count: > 0 } || _extras?.Priority is { Count: > 0 })
            {
                return false;
            }
            _scheduled = true;
            agent = _agent;
        }
        finally
        {
            ExitMailbox();
        }
        if (agent.HasStopHandler) // checked outside the lock: the first check of a class uses reflection
        {
            EndTurn(); // give the turn back (and schedule it if something arrived meanwhile)
            return false;
        }
        return true;
    }

    /// <summary>Terminates this process in a turn claimed by <see cref="TryClaimIdleTurn"/>, then ends that turn. Never throws.</summary>
    private async ValueTask TerminateClaimedAsync(ExitReason reason)
    {
        Debug.Assert(_scheduled, "the caller claimed this process's turn");
        try
        {
            await TerminateCoreAsync(reason).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            RuntimeLogMessages.InternalError(_runtime.RuntimeLogger, _id, ex);
        }
        EndTurn(); // answers system messages that arrived meanwhile (the process is terminated now)
    }

    /// <summary>
    /// Waits for <paramref name="done"/> up to the child's shutdown timeout, then kills the child. The timeout
    /// runs on <paramref name="deadline"/> when the caller stops several children in a row, else on a timer of
    /// its own; no timer at all when the wait is already over or the timeout is infinite.
    /// </summary>
    private async ValueTask WaitOrKillAsync(AgentProcess child, TaskCompletionSource done, StopDeadline? deadline = null)
    {
        var timeout = child.ShutdownTimeout;
        if (timeout == Timeout.InfiniteTimeSpan || done.Task.IsCompleted)
        {
            await done.Task.ConfigureAwait(false);
            return;
        }
        var own = deadline is null ? new StopDeadline(_runtime.TimeProvider) : null;
        var guard = deadline ?? own!;
        guard.Arm(done, timeout);
        try
        {
            await done.Task.ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Only StopDeadline completes the wait with an exception: the child did not stop in time.
            RuntimeLogMessages.Killed(_runtime.RuntimeLogger, child._id, timeout);
            child.Kill();
        }
        finally
        {
            guard.Disarm();
            own?.Dispose();
        }
    }

    /// <summary>Abandons a process that did not stop in time (OTP's brutal kill after the shutdown timeout).</summary>
    internal void Kill()
    {
        foreach (var child in SnapshotChildProcesses())
        {
            child.Kill();
        }
        FinalizeTermination(Murmur.Agents.ExitReason.Killed);
    }

    /// <summary>Makes the termination final and tells everyone who asked to know. Idempotent.</summary>
    private void FinalizeTermination(ExitReason reason)
    {
        List<Envelope>? dropped;
        Queue<(Envelope Envelope, TaskCompletionSource Done)>? waiters;
        EnterMailbox();
        try
        {
            if (_status == (int)ProcessStatus.Terminated)
            {
                return;
            }
            Volatile.Write(ref _status, (int)ProcessStatus.Terminated);
            _exitReason = reason;
            dropped = TakeAllUser();
            waiters = _extras?.SpaceWaiters;
            if (_extras is not null)
            {
                _extras.SpaceWaiters = null;
            }
        }
        finally
        {
            ExitMailbox();
        }
        if (dropped is not null)
        {
            foreach (var envelope in dropped)
            {
                _runtime.DeadLetter(_id, envelope.Message, "the agent stopped before handling it");
            }
        }
        while (waiters is { Count: > 0 })
        {
            var (envelope, done) = waiters.Dequeue();
            _runtime.DeadLetter(_id, envelope.Message, "the agent stopped while the sender waited for space");
            done.TrySetResult();
        }
        if (_id.IsNamed)
        {
            _runtime.Unregister(this);
        }
        _parent?.RemoveChild(this);
        if (_extras?.Monitors is { } monitors)
        {
            _extras.Monitors = null;
            foreach (var watcher in monitors)
            {
                SendDown(watcher, reason);
            }
        }
        NotifyLinks(reason);
        _runtime.OnTerminated(this);
    }

    private void SendDown(AgentRef watcher, ExitReason reason)
    {
        var down = new Down(this, reason);
        if (watcher is AgentProcess process)
        {
            process.PostSystem(new DownSignal(down));
        }
        else
        {
            watcher.Post(down, this);
        }
    }

    private void NotifyLinks(ExitReason reason)
    {
        if (_extras?.Links is not { Count: > 0 } links)
        {
            return;
        }
        _extras.Links = null;
        foreach (var other in links)
        {
            ((AgentProcess)other).PostSystem(new ExitSignal(this, reason));
        }
    }

    /// <summary>A system message reached a terminated process: answer it as Erlang would for a dead pid.</summary>
    private void AnswerAfterTermination(SystemMessage message)
    {
        var reason = _exitReason ?? Murmur.Agents.ExitReason.NoProcess;
        switch (message)
        {
            case StartSignal start:
                start.Done?.TrySetException(new InvalidOperationException($"'{_id}' has terminated ({reason})."));
                break;
            case HaltSignal halt:
                halt.Done.TrySetResult();
                break;
            case TerminateSignal terminate:
                terminate.Done?.TrySetResult();
                break;
            case WatchSignal { Add: true } watch:
                SendDown(watch.Watcher, Murmur.Agents.ExitReason.NoProcess);
                break;
            case LinkSignal { Add: true } link:
                ((AgentProcess)link.Other).PostSystem(new ExitSignal(this, Murmur.Agents.ExitReason.NoProcess));
                break;
        }
    }

    private void OnWatch(WatchSignal watch)
    {
        if (watch.Add)
        {
            (Extras.Monitors ??= []).Add(watch.Watcher);
        }
        else
        {
            _extras?.Monitors?.Remove(watch.Watcher);
        }
    }

    private void OnLink(LinkSignal link)
    {
        if (!link.Add)
        {
            _extras?.Links?.Remove(link.Other);
            return;
        }
        var links = Extras.Links ??= [];
        if (!links.Contains(link.Other))
        {
            links.Add(link.Other);
        }
    }

    private void OnExitSignal(ExitSignal exit)
    {
        var wasLinked = _extras?.Links?.Remove(exit.From) ?? false;
        if (!wasLinked && exit.Reason.Kind != ExitKind.NoProcess)
        {
            return; // unlinked meanwhile
        }
        if (_extras?.TrapExit == true)
        {
            (Extras.Priority ??= new()).Enqueue(new Envelope(new Exit(exit.From, exit.Reason), exit.From));
        }
        else if (exit.Reason.IsAbnormal && Status == ProcessStatus.Running)
        {
            Crash(new LinkedExitException(exit.From.Id, exit.Reason));
        }
    }
}
