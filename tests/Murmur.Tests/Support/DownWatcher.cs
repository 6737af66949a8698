using Murmur.Agents;

namespace Murmur.Tests.Support;

/// <summary>An agent that monitors <paramref name="target"/> and completes <paramref name="down"/> with the <see cref="Down"/> it gets.</summary>
public sealed class DownWatcher(AgentRef target, TaskCompletionSource<Down> down) : Agent
{
    protected override ValueTask OnStartedAsync(CancellationToken cancellationToken)
    {
        Context.Monitor(target);
        return ValueTask.CompletedTask;
    }

    protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
    {
        if (message is Down d)
        {
            down.TrySetResult(d);
        }
        return ValueTask.CompletedTask;
    }
}
