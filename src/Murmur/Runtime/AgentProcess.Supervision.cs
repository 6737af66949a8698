using Murmur.Agents;
using Murmur.Diagnostics;
using Murmur.Supervision;

namespace Murmur.Runtime;

/// <summary>
/// The supervisor side of a process, following Erlang/OTP's supervisor: restart types decide whether an
/// exit restarts, the strategy decides which children restart with it, and the intensity decides when the
/// supervisor gives up. Every decision runs in the supervisor's own turn, one exit at a time.
/// </summary>
internal sealed partial class AgentProcess
{
    private async ValueTask OnChildFailedAsync(AgentProcess child, Exception exception)
    {
        if (!IsChild(child) || child.Status != ProcessStatus.Suspended)
        {
            return; // stale: the child was already handled or stopped
        }
        SupervisorDirective directive;
        try
        {
            // Another node owns a fenced agent now: a restart here would only be fenced again, and a few such failures
            // would count as a crash loop and make this supervisor give up. It stops, whatever the strategy says.
            directive = exception is AgentFencedException ? SupervisorDirective.Stop : Strategy.Decide(exception);
        }
        catch (Exception deciderFailure)
        {
            exception = deciderFailure;
            directive = SupervisorDirective.Escalate;
        }
        switch (directive)
        {
            case SupervisorDirective.Resume:
                child.PostSystem(new ResumeSignal());
                break;
            case SupervisorDirective.Stop:
                await TerminateChildAsync(child, Murmur.Agents.ExitReason.Failure(exception)).ConfigureAwait(false);
                break;
            case SupervisorDirective.Escalate:
                await FailAsync(exception).ConfigureAwait(false);
                break;
            default:
                await OnChildEndedAsync(child, Murmur.Agents.ExitReason.Failure(exception)).ConfigureAwait(false);
                break;
        }
    }

    private ValueTask OnChildExitedAsync(AgentProcess child, ExitReason reason)
        => IsChild(child) ? OnChildEndedAsync(child, reason) : ValueTask.CompletedTask;

    /// <summary>OTP: the restart type decides; a restart counts against the intensity; the strategy picks siblings.</summary>
    private async ValueTask OnChildEndedAsync(AgentProcess child, ExitReason reason)
    {
        var restart = child._options.Restart switch
        {
            Restart.Permanent => true,
            Restart.Transient => reason.IsAbnormal,
            _ => false,
        };
        if (!restart)
        {
            await TerminateChildAsync(child, reason).ConfigureAwait(false);
            return;
        }
        var strategy = Strategy;
        var recent = RecordRestart(strategy);
        if (recent > strategy.MaxRestarts)
        {
            RuntimeLogMessages.IntensityExceeded(_runtime.RuntimeLogger, _id, strategy.MaxRestarts, strategy.Period);
            await FailAsync(new RestartIntensityExceededException(_id, child._id, strategy.MaxRestarts, strategy.Period, reason.Exception))
                .ConfigureAwait(false);
            return;
        }
        if (strategy.Backoff is { } backoff)
        {
            var delay = backoff.DelayFor(recent, _runtime.Random);
            if (delay > TimeSpan.Zero)
            {
                _runtime.Schedule(delay, () => PostSystem(new RestartChildSignal(child, reason)));
                return;
            }
        }
        await RestartByStrategyAsync(child, reason).ConfigureAwait(false);
    }

    /// <summary>Adds a restart at now and returns how many fall within the period (this one included).</summary>
    private int RecordRestart(SupervisorStrategy strategy)
    {
        var restarts = Extras.Restarts ??= new();
        var clock = _runtime.TimeProvider;
        var now = clock.GetTimestamp();
        while (restarts.Count > 0 && clock.GetElapsedTime(restarts.Peek(), now) >= strategy.Period)
        {
            restarts.Dequeue();
        }
        restarts.Enqueue(now);
        return restarts.Count;
    }

    private async ValueTask RestartByStrategyAsync(AgentProcess child, ExitReason reason)
    {
        var strategy = Strategy;
        RuntimeLogMessages.Restarting(_runtime.RuntimeLogger, _id, child._id, strategy.Kind, reason);
        MurmurDiagnostics.Restarted(strategy.Kind);
        List<AgentProcess> affected;
        if (strategy.Kind == SupervisionKind.OneForOne)
        {
            affected = [child];
        }
        else
        {
            var siblings = SnapshotChildProcesses();
            var index = siblings.IndexOf(child);
            if (index < 0)
            {
                return;
            }
            affected = strategy.Kind == SupervisionKind.OneForAll ? siblings : siblings[index..];
        }

        // Stop in reverse start order; a temporary sibling is terminated for good, never restarted.
        for (var i = affected.Count - 1; i >= 0; i--)
        {
            var process = affected[i];
            if (ReferenceEquals(process, child))
            {
                await HaltChildAsync(process, reason).ConfigureAwait(false);
            }
            else if (process._options.Restart == Restart.Temporary)
            {
                await TerminateChildAsync(process, Murmur.Agents.ExitReason.Shutdown).ConfigureAwait(false);
                affected.RemoveAt(i);
            }
            else
            {
                await HaltChildAsync(process, Murmur.Agents.ExitReason.Shutdown).ConfigureAwait(false);
            }
        }

        // Start in start order, each start awaited, as OTP starts children one after the other.
        foreach (var process in affected)
        {
            if (!process.IsAlive)
            {
                continue;
            }
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            process.PostSystem(new StartSignal(started, initial: false));
            await started.Task.ConfigureAwait(false);
        }
    }

    private async ValueTask HaltChildAsync(AgentProcess child, ExitReason reason)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        child.PostSystem(new HaltSignal(reason, done));
        await WaitOrKillAsync(child, done).ConfigureAwait(false);
    }

    /// <summary>The supervisor gives up: its children stop in reverse order, then it crashes to its own supervisor.</summary>
    private async ValueTask FailAsync(Exception reason)
    {
        await StopChildrenAsync().ConfigureAwait(false);
        Crash(reason);
    }
}
