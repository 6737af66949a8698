using System.Collections.Concurrent;
using System.Text.Json;

namespace Murmur.AI.Tools;

/// <summary>This node's requests to one other node: a member of that node's inbox, and the calls waiting for its answers.</summary>
internal sealed class InboxClient(string host)
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<TopicMember> _member = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Host { get; } = host;

    public AgentRef? Agent { get; set; }

    public Task<TopicMember> Member => _member.Task;

    public void Attach(TopicMember member) => _member.TrySetResult(member);

    public TaskCompletionSource<JsonElement> Expect(string callId)
    {
        var waiter = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(callId, waiter))
        {
            throw new InvalidOperationException($"A request with call_id '{callId}' to node '{Host}' is already waiting.");
        }
        return waiter;
    }

    public void Forget(string callId) => _pending.TryRemove(callId, out _);

    /// <summary>Completes the waiting call an answer of the host names; answers from anyone else are ignored.</summary>
    public void OnEvent(AgentEvent e)
    {
        if (e.Action is not (Actions.ToolResult or ToolMeshActions.Spawned)
            || !string.Equals(e.Actor, ToolMesh.MeshActorOf(Host), StringComparison.Ordinal)
            || !MeshWire.TryRead(e, out var root, out var callId))
        {
            return;
        }
        if (_pending.TryRemove(callId, out var waiter))
        {
            waiter.TrySetResult(root.Clone());
        }
    }

    public void FailAll(string reason)
    {
        foreach (var callId in _pending.Keys)
        {
            if (_pending.TryRemove(callId, out var waiter))
            {
                waiter.TrySetException(new ObjectDisposedException(nameof(ToolMesh), reason));
            }
        }
    }
}
