using System.Collections.Concurrent;
using System.Text.Json;
using Murmur.AI.Events;
using Murmur.Agents;
using Murmur.Events;
using Murmur.Topics;

namespace Murmur.AI.Tools.Mesh;

/// <summary>This node's requests to one other node: a member of that node's inbox, and the calls waiting for its answers.</summary>
internal sealed class InboxClient(string host, Topic inbox)
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

    /// <summary>The host's answer to <paramref name="callId"/> if the inbox already holds one.</summary>
    public JsonElement? FindAnswer(string callId)
    {
        foreach (var e in inbox.History)
        {
            if (IsAnswer(e) && MeshWire.TryRead(e, out var root, out var id) && string.Equals(id, callId, StringComparison.Ordinal))
            {
                return root.Clone();
            }
        }
        return null;
    }

    private bool IsAnswer(AgentEvent e)
        => e.Action is AiActions.ToolResult or ToolMeshActions.Spawned && string.Equals(e.Actor, ToolMesh.MeshActorOf(Host), StringComparison.Ordinal);

    public void Forget(string callId) => _pending.TryRemove(callId, out _);

    /// <summary>Completes the waiting call an answer of the host names; answers from anyone else are ignored.</summary>
    public void OnEvent(AgentEvent e)
    {
        if (!IsAnswer(e) || !MeshWire.TryRead(e, out var root, out var callId))
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
                waiter.TrySetException(new InvalidOperationException(reason));
            }
        }
    }
}
