using System.Diagnostics;
using Murmur.Agents;
using Murmur.Diagnostics;

namespace Murmur.Runtime;

/// <summary>The turn: system messages first, then up to <see cref="AgentRuntimeOptions.Throughput"/> user messages.</summary>
internal sealed partial class AgentProcess
{
    /// <summary>Per worker thread: the turn it runs and the buffer that turn takes messages into.</summary>
    [ThreadStatic]
    private static TurnThread? _turnThread;

    /// <summary>
    /// True on a thread that is running some process's turn. A post made from inside a turn queues the
    /// receiver's turn on this worker's local queue (<c>preferLocal: true</c>): it runs on the same core
    /// right after this turn, as a task continuation would, instead of waking another worker.
    /// </summary>
    private static bool InTurn => _turnThread?.Current is not null;

    /// <summary>Runs one turn on a thread-pool thread. Never throws.</summary>
    public void Execute()
    {
        var thread = _turnThread ??= new TurnThread();
        Debug.Assert(thread.Current is null, "the thread pool does not nest work items");
        thread.Current = this;
        try
        {
            RunTurn(thread.Batch);
        }
        catch (Exception ex)
        {
            // Only a bug in the runtime lands here; user exceptions are caught where handlers are called.
            RuntimeLogMessages.InternalError(_runtime.RuntimeLogger, _id, ex);
            Array.Clear(thread.Batch);
            EndTurn();
        }
        finally
        {
            thread.Current = null;
        }
    }

    private void RunTurn(Envelope[] batch)
    {
        var budget = _runtime.Options.Throughput;
        var token = _runtime.HandlerToken;
        // User messages are taken out of the mailbox up to BatchSize at a time under one lock acquisition
        // (see TakeBatch). Envelopes in [next, taken) are owned by this turn only; whenever the turn is about
        // to do anything but handle the next one (a system message, a status change, an async handler), it
        // puts them back at the front of the mailbox first, so FIFO order, system-before-user, draining and
        // dead-lettering at termination all see them exactly as if they had never left the ring.
        Debug.Assert(batch.Length == BatchSize && Array.TrueForAll(batch, e => e.Message is null), "the thread's batch buffer is empty between turns");
        int next = 0, taken = 0;
        while (true)
        {
            if (Volatile.Read(ref _sysHead) is not null)
            {
                if (next < taken)
                {
                    PutBack(batch, next, taken);
                    next = taken = 0;
                }
                if (DequeueSystem() is { } system)
                {
                    var pending = HandleSystemAsync(system);
                    if (!pending.IsCompletedSuccessfully)
                    {
                        _ = ResumeTurnAfterAsync(pending, userMessage: false);
                        return; // the turn continues when the system handler completes
                    }
                    continue;
                }
            }
            if (Status != ProcessStatus.Running || _runtime.DropsUserMessages)
            {
                break; // (shutting down with the Drop policy: queued messages wait for the terminate and become dead letters)
            }
            if (next == taken)
            {
                if (budget == 0)
                {
                    break;
                }
                next = 0;
                taken = TakeBatch(batch, budget, out var ended);
                if (ended)
                {
                    Debug.Assert(taken == 0, "a turn ends only with nothing taken");
                    return; // TakeBatch found the mailbox empty and ended the turn under the same lock
                }
                if (taken == 0)
                {
                    continue; // a system message arrived: handle it first
                }
            }
            var envelope = batch[next];
            batch[next] = default; // the buffer must not keep the message alive
            next++;
            budget--;
            _sender = envelope.Sender;
            ValueTask handled;
            var handlerStarted = MurmurDiagnostics.HandlerStarted();
            try
            {
                handled = envelope.Message is AgentWork work ? work.RunAsync(_agent!, token) : _agent!.InvokeReceiveAsync(envelope.Message, token);
            }
            catch (Exception ex)
            {
                _sender = null;
                Crash(ex);
                continue;
            }
            if (!handled.IsCompletedSuccessfully)
            {
                if (next < taken)
                {
                    PutBack(batch, next, taken);
                }
                _ = ResumeTurnAfterAsync(handled, userMessage: true, handlerStarted);
                return; // the agent keeps its turn until its handler completes
            }
            MurmurDiagnostics.HandlerEnded(handlerStarted);
            _sender = null;
            if (_stopRequested)
            {
                if (next < taken)
                {
                    PutBack(batch, next, taken);
                    next = taken = 0;
                }
                var exiting = ExitNormallyAsync();
                if (!exiting.IsCompletedSuccessfully)
                {
                    _ = ResumeTurnAfterAsync(exiting, userMessage: false);
                    return;
                }
            }
        }
        if (next < taken)
        {
            PutBack(batch, next, taken);
        }
        EndTurn();
    }

    private async Task ResumeTurnAfterAsync(ValueTask pending, bool userMessage, long handlerStarted = 0)
    {
        try
        {
            await pending.ConfigureAwait(false);
            if (userMessage)
            {
                MurmurDiagnostics.HandlerEnded(handlerStarted);
                _sender = null;
                if (_stopRequested)
                {
                    await ExitNormallyAsync().ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (userMessage)
        {
            _sender = null;
            Crash(ex);
        }
        catch (Exception ex)
        {
            RuntimeLogMessages.InternalError(_runtime.RuntimeLogger, _id, ex);
        }
        // Still marked scheduled: no other turn can start, so requeueing continues this one.
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
    }

    private void EndTurn()
    {
        bool more;
        EnterMailbox();
        try
        {
            more = _sysHead is not null
                || (_status == (int)ProcessStatus.Running && !_runtime.DropsUserMessages
                    && (_count > 0 || _extras?.Priority is { Count: > 0 } || _extras?.Work is { Count: > 0 }));
            if (!more)
            {
                _scheduled = false;
                ReturnRingIfEmpty();
            }
        }
        finally
        {
            ExitMailbox();
        }
        if (more)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>The handler threw: suspend, break links, and let the supervisor decide.</summary>
    private void Crash(Exception exception)
    {
        if (!TrySetStatus(ProcessStatus.Suspended))
        {
            return;
        }
        RuntimeLogMessages.AgentCrashed(_runtime.AgentLogger, _id, exception);
        NotifyLinks(Murmur.Agents.ExitReason.Failure(exception));
        if (_parent is null)
        {
            _runtime.OnRootFailed(exception);
        }
        else
        {
            _parent.PostSystem(new ChildFailed(this, exception));
        }
    }

    /// <summary>The agent called <see cref="IAgentContext.Stop()"/>: end the instance, then the supervisor applies the restart type.</summary>
    private async ValueTask ExitNormallyAsync()
    {
        _stopRequested = false;
        await HaltCoreAsync(Murmur.Agents.ExitReason.Normal).ConfigureAwait(false);
        NotifyLinks(Murmur.Agents.ExitReason.Normal);
        if (_parent is null)
        {
            await TerminateCoreAsync(Murmur.Agents.ExitReason.Normal).ConfigureAwait(false);
        }
        else
        {
            _parent.PostSystem(new ChildExited(this, Murmur.Agents.ExitReason.Normal));
        }
    }

    private ValueTask HandleSystemAsync(SystemMessage message)
    {
        if (Status == ProcessStatus.Terminated)
        {
            AnswerAfterTermination(message);
            return ValueTask.CompletedTask;
        }
        switch (message)
        {
            case StartSignal start:
                return StartAsync(start);
            case HaltSignal halt:
                return HaltAsync(halt);
            case TerminateSignal terminate:
                return TerminateAsync(terminate);
            case ResumeSignal:
                if (Status == ProcessStatus.Suspended)
                {
                    TrySetStatus(ProcessStatus.Running);
                }
                return ValueTask.CompletedTask;
            case ChildFailed failed:
                return OnChildFailedAsync(failed.Child, failed.Exception);
            case ChildExited exited:
                return OnChildExitedAsync(exited.Child, exited.Reason);
            case RestartChildSignal restart:
                return IsChild(restart.Child) ? RestartByStrategyAsync(restart.Child, restart.Reason) : ValueTask.CompletedTask;
            case WatchSignal watch:
                OnWatch(watch);
                return ValueTask.CompletedTask;
            case LinkSignal link:
                OnLink(link);
                return ValueTask.CompletedTask;
            case ExitSignal exit:
                OnExitSignal(exit);
                return ValueTask.CompletedTask;
            case DownSignal down:
                (Extras.Priority ??= new()).Enqueue(new Envelope(down.Down, down.Down.Agent));
                return ValueTask.CompletedTask;
            case AgentWork work:
                // Queued apart from the ring: no capacity applies, and it waits out a restart (see TakeBatch).
                (Extras.Work ??= new()).Enqueue(work);
                return ValueTask.CompletedTask;
            default:
                return ValueTask.CompletedTask;
        }
    }

    /// <summary>A worker thread's turn state; the batch buffer is reused by every turn the thread runs.</summary>
    private sealed class TurnThread
    {
        public readonly Envelope[] Batch = new Envelope[BatchSize];
        public AgentProcess? Current;

        /// <summary>An empty ring (at most <see cref="MaxSpareRing"/> slots) kept for the next mailbox that needs one (see RentRing).</summary>
        public Envelope[]? SpareRing;
    }
}
