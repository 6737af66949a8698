namespace Murmur;

/// <summary>The reply address of one ask: the first message posted to it completes the ask.</summary>
internal sealed class FutureRef : AgentRef
{
    private static readonly AgentId AskId = AgentId.Reserved("$ask");
    private readonly TaskCompletionSource<object> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<object> Reply => _reply.Task;

    public override AgentId Id => AskId;

    public override bool IsAlive => !_reply.Task.IsCompleted;

    public override ValueTask SendAsync(object message, CancellationToken cancellationToken = default)
    {
        Post(message, null);
        return ValueTask.CompletedTask;
    }

    internal override bool Post(object message, AgentRef? sender) => _reply.TrySetResult(message);
}
