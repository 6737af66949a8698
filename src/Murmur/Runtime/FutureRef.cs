using Murmur.Agents;

namespace Murmur.Runtime;

/// <summary>
/// The reply address of one ask: the first of the reply (the first message posted to it), the ask's timeout
/// and its cancellation completes the ask.
/// </summary>
/// <remarks>
/// The timeout is a timer owned by this object and the cancellation a registration on the token, both set up
/// by <see cref="Arm"/> and torn down by <see cref="Disarm"/> in the asking method once the ask completed, so
/// there is no race between a reply and the arming. This replaces <c>Task.WaitAsync(timeout, TimeProvider,
/// token)</c>, which allocated a promise task besides the timer; with an infinite timeout there is no timer.
/// </remarks>
internal sealed class FutureRef : AgentRef
{
    private static readonly AgentId AskId = AgentId.Reserved("$ask");
    private readonly TaskCompletionSource<object> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? _timer;
    private CancellationTokenRegistration _cancellation;

    public Task<object> Reply => _reply.Task;

    public override AgentId Id => AskId;

    public override bool IsAlive => !_reply.Task.IsCompleted;

    public override ValueTask SendAsync(object message, CancellationToken cancellationToken = default)
    {
        Post(message, null);
        return ValueTask.CompletedTask;
    }

    internal override bool Post(object message, AgentRef? sender) => _reply.TrySetResult(message);

    /// <inheritdoc/>
    internal override bool PostWork(AgentWork work) => false;

    /// <summary>Starts the timeout (unless infinite) and watches <paramref name="cancellationToken"/>. Called once, by the asker.</summary>
    public void Arm(TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            _timer = clock.CreateTimer(static state => ((FutureRef)state!)._reply.TrySetException(new TimeoutException()), this, timeout, Timeout.InfiniteTimeSpan);
        }
        if (cancellationToken.CanBeCanceled)
        {
            // Runs at once if the token is already cancelled.
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((FutureRef)state!)._reply.TrySetCanceled(token), this);
        }
    }

    /// <summary>Releases the timer and the registration; the asker calls it after the ask completed.</summary>
    public void Disarm()
    {
        _timer?.Dispose();
        _cancellation.Unregister();
    }
}
