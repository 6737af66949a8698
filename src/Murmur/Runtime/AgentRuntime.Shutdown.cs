using Murmur.Agents;
using Murmur.Supervision;

namespace Murmur.Runtime;

/// <summary>Graceful shutdown and root failure.</summary>
public sealed partial class AgentRuntime
{
    /// <summary>
    /// Stops every agent, children before parents and siblings in reverse start order, each within its
    /// shutdown timeout; then completes <see cref="Completion"/>. Never throws for a failed runtime.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) == 0)
        {
            if (Options.ShutdownMailbox == ShutdownMailboxPolicy.Drop)
            {
                // Before the token: a handler that returns because of the cancellation must not start on the next message.
                _dropping = true;
                await _shutdown.CancelAsync().ConfigureAwait(false);
            }
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _root.PostSystem(new TerminateSignal(ExitReason.Shutdown, done));
            await done.Task.ConfigureAwait(false);
            await _shutdown.CancelAsync().ConfigureAwait(false);
            lock (_timers)
            {
                foreach (var timer in _timers)
                {
                    timer.Dispose();
                }
                _timers.Clear();
            }
        }
        try
        {
            await _completion.Task.ConfigureAwait(false);
        }
        catch (RuntimeFailedException)
        {
            // Reported through Completion; disposing a failed runtime is not an error.
        }
        _shutdown.Dispose();
    }

    /// <summary>A failure escalated out of the root supervisor: the runtime stops with a clear error.</summary>
    internal void OnRootFailed(Exception exception)
    {
        RuntimeLogMessages.RootFailed(RuntimeLogger, exception);
        _failure ??= new RuntimeFailedException(exception);
        // The root's turn is running this call; terminate it by message, from outside that turn.
        _root.PostSystem(new TerminateSignal(ExitReason.Failure(exception), null));
    }
}
