using System.Collections.Concurrent;
using System.Text.Json;
using Murmur.AI.Events;
using Murmur.Agents;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.AI.Tools.Mesh;

// The caller side: requests into other nodes' inboxes, waiting for their answers.
public sealed partial class ToolMesh
{
    private readonly ConcurrentDictionary<string, Lazy<Task<InboxClient>>> _clients = new(StringComparer.Ordinal);

    /// <summary>
    /// Calls <paramref name="tool"/> on node <paramref name="host"/> through its inbox and waits for the answer
    /// (<see cref="ToolMeshOptions.CallTimeout"/>). The request is appended up to <see cref="ToolMeshOptions.AppendAttempts"/>
    /// times; the host runs the tool at most once for <paramref name="callId"/>, whatever arrives.
    /// </summary>
    /// <param name="host">The node that serves the tool.</param>
    /// <param name="tool">The tool's name.</param>
    /// <param name="arguments">The arguments.</param>
    /// <param name="callId">The call's identity: the <c>event_id</c> of the caller's <c>TOOL_CALL</c>, or any unique id.</param>
    /// <param name="caller">The calling actor, recorded with the request.</param>
    /// <param name="topic">The caller's topic, recorded with the request.</param>
    /// <param name="cancellationToken">Stops waiting (the host may still run the call once).</param>
    /// <returns>The answer; timeouts, refusals and failures are answers with <see cref="RemoteReply.Ok"/> false, never exceptions.</returns>
    public async Task<RemoteReply> CallAsync(string host, string tool, IDictionary<string, object?>? arguments, string callId, string caller, string? topic = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentException.ThrowIfNullOrEmpty(tool);
        ArgumentException.ThrowIfNullOrEmpty(callId);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var time = Node.TimeProvider;
        var deadline = time.GetUtcNow() + Options.CallTimeout;
        var payload = MeshWire.Call(callId, tool, arguments ?? new Dictionary<string, object?>(), host, caller, topic, deadline.ToUnixTimeMilliseconds());
        return await RequestAsync(host, AiActions.ToolCall, payload, callId, Options.CallTimeout, $"remote tool '{tool}' on node '{host}'", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Like <see cref="CallAsync"/>, for a call that may have been made before (by an earlier incarnation of the caller):
    /// an answer already in the host's inbox is returned without asking again; otherwise the request is appended
    /// again under the same <paramref name="callId"/>, which the host runs at most once.
    /// </summary>
    public async Task<RemoteReply> ResumeCallAsync(string host, string tool, IDictionary<string, object?>? arguments, string callId, string caller, string? topic = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentException.ThrowIfNullOrEmpty(tool);
        ArgumentException.ThrowIfNullOrEmpty(callId);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var deadline = Node.TimeProvider.GetUtcNow() + Options.CallTimeout;
        var payload = MeshWire.Call(callId, tool, arguments ?? new Dictionary<string, object?>(), host, caller, topic, deadline.ToUnixTimeMilliseconds());
        return await RequestAsync(host, AiActions.ToolCall, payload, callId, Options.CallTimeout, $"remote tool '{tool}' on node '{host}'", cancellationToken, lookBack: true).ConfigureAwait(false);
    }

    private async Task<RemoteReply> RequestAsync(string host, string action, byte[] payload, string callId, TimeSpan timeout, string what, CancellationToken cancellationToken, bool lookBack = false)
    {
        var time = Node.TimeProvider;
        InboxClient client;
        try
        {
            client = await ClientAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EventLogException or InvalidOperationException or AgentIdConflictException)
        {
            return RemoteReply.Failed($"{what}: cannot open node '{host}''s inbox: {ex.Message}");
        }
        var member = await client.Member.WaitAsync(cancellationToken).ConfigureAwait(false);
        var waiter = client.Expect(callId);
        var started = time.GetTimestamp();
        try
        {
            // Registered first, then looked for: an answer that lands in between completes the waiter instead.
            if (lookBack && client.FindAnswer(callId) is { } earlier)
            {
                return MeshWire.ReadReply(earlier, time.GetElapsedTime(started));
            }
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    // A failed append stays with the member, which appends it again (same event id) before its next one;
                    // the host answers a call_id once, so a retried request never runs the tool twice.
                    await member.PublishRawAsync(action, payload, null, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (EventLogException ex) when (attempt < Options.AppendAttempts)
                {
                    _ = ex;
                }
                catch (EventLogException ex)
                {
                    return RemoteReply.Failed($"{what}: the request could not be appended after {attempt} attempts: {ex.Message}", host, time.GetElapsedTime(started));
                }
            }
            JsonElement answer;
            try
            {
                answer = await waiter.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Suspect(host);
                return RemoteReply.Failed(
                    $"{what} did not answer within {timeout.TotalSeconds:0.###} s (call {callId}); it runs at most once, and not after its deadline if the clocks agree",
                    host, time.GetElapsedTime(started));
            }
            catch (InvalidOperationException ex)
            {
                return RemoteReply.Failed($"{what}: {ex.Message}; the host may still run it, at most once", host, time.GetElapsedTime(started));
            }
            HeardFrom(host);
            return MeshWire.ReadReply(answer, time.GetElapsedTime(started));
        }
        finally
        {
            client.Forget(callId);
        }
    }

    private Task<InboxClient> ClientAsync(string host, CancellationToken cancellationToken)
    {
        var lazy = _clients.GetOrAdd(host, h => new Lazy<Task<InboxClient>>(() => StartClientAsync(h)));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            _clients.TryRemove(new KeyValuePair<string, Lazy<Task<InboxClient>>>(host, lazy));
        }
        return task.WaitAsync(cancellationToken);
    }

    private async Task<InboxClient> StartClientAsync(string host)
    {
        var stopping = _stopping.Token;
        var inbox = await Node.OpenTopicAsync(InboxTopicOf(host), Consistency.Eventual, stopping).ConfigureAwait(false);
        var client = new InboxClient(host, inbox);
        client.Agent = await Node.SpawnAsync($"calls@{NodeId}>{host}", () => new InboxClientAgent(client), inbox, cancellationToken: stopping).ConfigureAwait(false);
        return client;
    }

    private async Task StopClientsAsync()
    {
        foreach (var lazy in _clients.Values)
        {
            if (!lazy.IsValueCreated || !lazy.Value.IsCompletedSuccessfully)
            {
                continue;
            }
            var client = lazy.Value.Result;
            client.FailAll($"node '{NodeId}' left the tool mesh while the call was waiting");
            if (client.Agent is { } agent)
            {
                try
                {
                    await Node.Runtime.StopAsync(agent).ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    // The node went first.
                }
            }
        }
    }
}
