namespace Murmur;

/// <summary>The turn: system messages first, then up to <see cref="AgentRuntimeOptions.Throughput"/> user messages.</summary>
internal sealed partial class AgentProcess
{
    /// <summary>Runs one turn on a thread-pool thread. Never throws.</summary>
    public void Execute()
    {
        try
        {
            RunTurn();
        }
        catch (Exception ex)
        {
            // Only a bug in the runtime lands here; user exceptions are caught where handlers are called.
            Log.InternalError(_runtime.RuntimeLogger, _id, ex);
            EndTurn();
        }
    }

    private void RunTurn()
    {
        var budget = _runtime.Options.Throughput;
        while (true)
        {
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
            if (Status != ProcessStatus.Running || budget == 0 || !TryDequeueUser(out var envelope))
            {
                break;
            }
            budget--;
            _sender = envelope.Sender;
            ValueTask handled;
            try
            {
                handled = _agent!.InvokeReceiveAsync(envelope.Message, _runtime.HandlerToken);
            }
            catch (Exception ex)
            {
                _sender = null;
                Crash(ex);
                continue;
            }
            if (!handled.IsCompletedSuccessfully)
            {
                _ = ResumeTurnAfterAsync(handled, userMessage: true);
                return; // the agent keeps its turn until its handler completes
            }
            _sender = null;
            if (_stopRequested)
            {
                var exiting = ExitNormallyAsync();
                if (!exiting.IsCompletedSuccessfully)
                {
                    _ = ResumeTurnAfterAsync(exiting, userMessage: false);
                    return;
                }
            }
        }
        EndTurn();
    }

    private async Task ResumeTurnAfterAsync(ValueTask pending, bool userMessage)
    {
        try
        {
            await pending.ConfigureAwait(false);
            if (userMessage)
            {
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
            Log.InternalError(_runtime.RuntimeLogger, _id, ex);
        }
        // Still marked scheduled: no other turn can start, so requeueing continues this one.
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
    }

    private void EndTurn()
    {
        bool more;
        lock (this)
        {
            more = _sysHead is not null
                || (_status == (int)ProcessStatus.Running && (_count > 0 || _extras?.Priority is { Count: > 0 }));
            if (!more)
            {
                _scheduled = false;
                ReturnRingIfEmpty();
            }
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
        Log.AgentCrashed(_runtime.AgentLogger, _id, exception);
        NotifyLinks(Murmur.ExitReason.Failure(exception));
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
        await HaltCoreAsync(Murmur.ExitReason.Normal).ConfigureAwait(false);
        NotifyLinks(Murmur.ExitReason.Normal);
        if (_parent is null)
        {
            await TerminateCoreAsync(Murmur.ExitReason.Normal).ConfigureAwait(false);
        }
        else
        {
            _parent.PostSystem(new ChildExited(this, Murmur.ExitReason.Normal));
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
            default:
                return ValueTask.CompletedTask;
        }
    }
}
