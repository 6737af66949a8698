using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Murmur.AI.Events;
using Murmur.AI.Telemetry;
using Murmur.Agents;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.AI.Tools.Mesh;

// The host side: the effect ledger over the inbox, and running the requests addressed to this node.
public sealed partial class ToolMesh
{
    private readonly object _ledger = new();
    private readonly HashSet<string> _answered = new(StringComparer.Ordinal);
    private readonly HashSet<string> _claimed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, bool> _inFlight = new();
    private long _toolRuns;
    private long _duplicates;
    private long _unknownOutcomes;

    /// <summary>How many remote calls this node has run a tool for.</summary>
    public long ToolRuns => Interlocked.Read(ref _toolRuns);

    /// <summary>How many requests arrived for a call already running or answered, and were not run again.</summary>
    public long DuplicateRequests => Interlocked.Read(ref _duplicates);

    /// <summary>How many claimed calls found without an answer (this node stopped mid-call) were answered "outcome unknown".</summary>
    public long UnknownOutcomes => Interlocked.Read(ref _unknownOutcomes);

    private string MeshActor => MeshActorOf(NodeId);

    private void LoadLedger(IReadOnlyList<AgentEvent> history)
    {
        foreach (var e in history)
        {
            Record(e);
        }
    }

    /// <summary>Records this node's own claims and answers; returns false for anything else.</summary>
    private bool Record(AgentEvent e)
    {
        if (!string.Equals(e.Actor, MeshActor, StringComparison.Ordinal) || !MeshWire.TryRead(e, out _, out var callId))
        {
            return false;
        }
        lock (_ledger)
        {
            if (e.Action is ToolMeshActions.ToolStarted)
            {
                _claimed.Add(callId);
            }
            else if (e.Action is AiActions.ToolResult or ToolMeshActions.Spawned)
            {
                _answered.Add(callId);
            }
        }
        return true;
    }

    internal void OnInboxEvent(AgentEvent e)
    {
        if (Record(e) || _disposed != 0 || e.Action is not (AiActions.ToolCall or ToolMeshActions.Spawn))
        {
            return;
        }
        if (!MeshWire.TryRead(e, out var root, out var callId))
        {
            return; // not a request this mesh understands; the log keeps it, nobody acts on it
        }
        bool unknown;
        lock (_ledger)
        {
            if (_answered.Contains(callId) || _running.Contains(callId))
            {
                Interlocked.Increment(ref _duplicates);
                return;
            }
            unknown = _claimed.Contains(callId);
            _running.Add(callId);
        }
        var work = e.Action == AiActions.ToolCall
            ? Task.Run(() => ServeCallAsync(root.Clone(), callId, unknown))
            : Task.Run(() => ServeSpawnAsync(root.Clone(), callId));
        _inFlight.TryAdd(work, true);
        work.ContinueWith(t => _inFlight.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private Task ServeCallAsync(JsonElement call, string callId, bool claimedBefore) => ServeAsync(callId, async stopping =>
    {
        var tool = MeshWire.Str(call, "tool") ?? "";
        RemoteReply reply;
        if (claimedBefore)
        {
            Interlocked.Increment(ref _unknownOutcomes);
            reply = RemoteReply.Failed($"outcome unknown: node '{NodeId}' stopped while '{tool}' was running for call {callId}; it was not run again");
        }
        else if (Refusal(call, tool) is { } refused)
        {
            reply = RemoteReply.Failed(refused);
        }
        else
        {
            if (NeedsClaim(tool))
            {
                await _inboxMember!.PublishRawAsync(ToolMeshActions.ToolStarted, MeshWire.Started(callId, tool), null, stopping).ConfigureAwait(false);
                lock (_ledger)
                {
                    _claimed.Add(callId);
                }
            }
            reply = await RunToolAsync(tool, call, stopping).ConfigureAwait(false);
        }
        return (AiActions.ToolResult, MeshWire.Result(callId, tool, reply, NodeId));
    });

    private Task ServeSpawnAsync(JsonElement request, string callId) => ServeAsync(callId, async stopping =>
    {
        var id = MeshWire.Str(request, "id") ?? "";
        var consistency = string.Equals(MeshWire.Str(request, "consistency"), "strict", StringComparison.Ordinal) ? Consistency.Strict : Consistency.Eventual;
        var error = await SpawnLocalAsync(id, MeshWire.Str(request, "kind") ?? "", MeshWire.Str(request, "topic") ?? "", consistency, stopping).ConfigureAwait(false);
        return (ToolMeshActions.Spawned, MeshWire.SpawnedPayload(callId, id, error, NodeId));
    });

    /// <summary>Does a request's work and appends its answer; a node stopped or cut off from the log mid-request leaves it unanswered.</summary>
    private async Task ServeAsync(string callId, Func<CancellationToken, Task<(string Action, byte[] Answer)>> work)
    {
        var stopping = _stopping.Token;
        try
        {
            var (action, answer) = await work(stopping).ConfigureAwait(false);
            await _inboxMember!.PublishRawAsync(action, answer, null, stopping).ConfigureAwait(false);
            lock (_ledger)
            {
                _answered.Add(callId);
            }
        }
        catch (Exception ex) when (stopping.IsCancellationRequested || ex is EventLogException or ObjectDisposedException)
        {
            // Unanswered: after a restart, a claimed call is answered "outcome unknown", an unclaimed one (or a spawn) is served again.
        }
        finally
        {
            lock (_ledger)
            {
                _running.Remove(callId);
            }
        }
    }

    private bool NeedsClaim(string tool)
        => Options.ClaimReadOnlyTools || (_registry.TryGet(tool, out var function) && ToolRegistry.IsSideEffecting(function));

    private string? Refusal(JsonElement call, string tool)
    {
        if (!_registry.TryGet(tool, out _) || (_exported is not null && !_exported.Contains(tool)))
        {
            return $"node '{NodeId}' serves no tool named '{tool}'; it serves [{string.Join(", ", ExportedTools().Select(t => t.Name))}]";
        }
        if (call.TryGetProperty("args", out var args) && args.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            return $"the arguments of '{tool}' must be a JSON object; got {args.ValueKind}";
        }
        if (call.TryGetProperty("deadline_ms", out var d) && d.TryGetInt64(out var deadline) && Node.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() > deadline)
        {
            return $"the call to '{tool}' reached node '{NodeId}' after its deadline; it was not run";
        }
        return null;
    }

    private async Task<RemoteReply> RunToolAsync(string tool, JsonElement call, CancellationToken stopping)
    {
        _registry.TryGet(tool, out var function);
        var args = new AIFunctionArguments();
        if (call.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in a.EnumerateObject())
            {
                args[p.Name] = p.Value;
            }
        }
        var time = Node.TimeProvider;
        var started = time.GetTimestamp();
        Interlocked.Increment(ref _toolRuns);
        using var activity = AiDiagnostics.StartTool(MeshActor, tool, "remote-host");
        try
        {
            var value = await function.InvokeAsync(args, stopping).ConfigureAwait(false);
            var result = value is JsonElement element ? element : JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions);
            var elapsed = time.GetElapsedTime(started);
            AiDiagnostics.ToolEnded(activity, "remote-host", elapsed, null);
            return new RemoteReply(true, result, null, NodeId, default, elapsed);
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            var inner = ex is TargetInvocationException { InnerException: { } i } ? i : ex;
            var elapsed = time.GetElapsedTime(started);
            AiDiagnostics.ToolEnded(activity, "remote-host", elapsed, inner.Message);
            return new RemoteReply(false, default, inner.Message, NodeId, default, elapsed);
        }
    }

    /// <summary>Spawns an agent of a registered kind here; returns why not, or null.</summary>
    private async Task<string?> SpawnLocalAsync(string id, string kind, string topicName, Consistency consistency, CancellationToken cancellationToken)
    {
        if (!TryGetKind(kind, out var factory))
        {
            return $"node '{NodeId}' has no agent kind '{kind}'; it has [{string.Join(", ", KindNames())}]";
        }
        if (TopicName.Check(topicName) is { } badTopic)
        {
            return $"topic '{topicName}': {badTopic}";
        }
        AgentId agentId;
        try
        {
            agentId = AgentId.Of(id);
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
        try
        {
            var topic = await Node.OpenTopicAsync(topicName, consistency, cancellationToken).ConfigureAwait(false);
            await Node.SpawnAsync(agentId, factory, topic, cancellationToken: cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or AgentIdConflictException or AgentStartException)
        {
            return ex.Message;
        }
    }

    private async Task StopServingAsync()
    {
        try
        {
            await Task.WhenAll(_inFlight.Keys).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A tool that ignores cancellation is left behind; its claim makes it "outcome unknown" after a restart.
        }
    }
}
