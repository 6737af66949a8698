using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Murmur.AI.Events;
using Murmur.AI.Telemetry;
using Murmur.AI.Tools.Mesh;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.AI.Tools;

/// <summary>
/// Runs tools for one agent — in-process when its node has them, through the log on the node that serves them
/// otherwise (<see cref="ToolMesh"/>) — and records every call in the agent's topic:
/// <c>TOOL_CALL</c> <c>{"tool":…,"args":{…},"to"?:host}</c>, then <c>TOOL_RESULT</c>
/// <c>{"tool":…,"call_id":…,"ok":…,"result"|"error":…,"locality":"local"|"remote","elapsed_us":…,"host"?:…,"tool_us"?:…}</c>
/// (remote: <c>elapsed_us</c> is the round trip, <c>tool_us</c> the tool's own time on its host).
/// </summary>
/// <remarks>
/// The allow-list is enforced here, by the runtime, not by the model: a tool outside it gets an error result
/// and never runs. Tools run on the calling agent's turn (a thread-pool thread, no synchronization context);
/// a tool shared by several agents of a node must be thread-safe. Not thread-safe itself: one invoker per agent.
/// </remarks>
public sealed class ToolInvoker
{
    private readonly ToolRegistry _registry;
    private readonly HashSet<string>? _allowed;
    private readonly TimeProvider _time;
    private long _calls;
    private long _elapsedTicks;

    /// <summary>Creates an invoker over <paramref name="registry"/>.</summary>
    /// <param name="registry">The node's tools.</param>
    /// <param name="allowedTools">The names this agent may call; <see langword="null"/> allows every registered tool.</param>
    /// <param name="timeProvider">The clock for durations; <see cref="TimeProvider.System"/> when null.</param>
    public ToolInvoker(ToolRegistry registry, IEnumerable<string>? allowedTools = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        _allowed = allowedTools is null ? null : new HashSet<string>(allowedTools, StringComparer.Ordinal);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How many calls were made (refused ones included).</summary>
    public long Calls => _calls;

    /// <summary>The summed running time of the tools.</summary>
    public TimeSpan ToolTime => TimeSpan.FromTicks(_elapsedTicks);

    /// <summary>True when the agent may call <paramref name="tool"/>.</summary>
    public bool IsAllowed(string tool) => _allowed is null || _allowed.Contains(tool);

    /// <summary>
    /// The tools this agent may call, ordered by name: the node's own, then (when the node has joined a
    /// <see cref="ToolMesh"/>) those other nodes serve that the node lacks.
    /// </summary>
    public IReadOnlyList<AIFunction> AllowedTools
    {
        get
        {
            var local = _registry.All.Where(t => IsAllowed(t.Name)).ToList();
            if (_registry.Mesh is not { } mesh)
            {
                return local;
            }
            var names = new HashSet<string>(local.Select(t => t.Name), StringComparer.Ordinal);
            var remote = mesh.Nodes.Where(n => !string.Equals(n.NodeId, mesh.NodeId, StringComparison.Ordinal))
                .SelectMany(n => n.Tools)
                .Where(t => IsAllowed(t.Name) && names.Add(t.Name))
                .Select(t => (AIFunction)new RemoteToolProxy(mesh, t));
            return [.. local.Concat(remote).OrderBy(t => t.Name, StringComparer.Ordinal)];
        }
    }

    /// <summary>
    /// Publishes <c>TOOL_CALL</c>, runs the tool (if allowed): in-process when the node has it, else on the node of the
    /// mesh that serves it (the call is then addressed to that node with <c>"to"</c>); then publishes <c>TOOL_RESULT</c>
    /// with <c>"locality"</c> and <c>"elapsed_us"</c>.
    /// </summary>
    /// <param name="member">The agent's membership of the topic to record the call in.</param>
    /// <param name="tool">The tool's name.</param>
    /// <param name="arguments">The arguments (JSON elements or plain values).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome; a refused, failing or unanswered tool is an outcome with <see cref="ToolInvocation.Ok"/> false, never an exception.</returns>
    /// <exception cref="EventLogException">The log refused an append.</exception>
    public async Task<ToolInvocation> InvokeAsync(TopicMember member, string tool, IDictionary<string, object?>? arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(member);
        ArgumentException.ThrowIfNullOrEmpty(tool);
        var args = new AIFunctionArguments(arguments ?? new Dictionary<string, object?>());
        var payload = CallPayload(tool, args, RemoteHostOf(tool)?.Node);
        if (!IsAllowed(tool) || IsSideEffecting(tool) || !IsKnown(tool))
        {
            // A side effect (or a refusal) starts only once its TOOL_CALL is in the log: after a crash the call is
            // found there and never run twice.
            var call = await member.PublishRawAsync(AiActions.ToolCall, payload, null, cancellationToken).ConfigureAwait(false);
            return await ExecuteAsync(member, call.EventId, tool, args, cancellationToken).ConfigureAwait(false);
        }
        // A read-only call runs (or is sent to its host) while its TOOL_CALL is being appended: running it twice after
        // a crash is harmless, and the round trip saves one acknowledged append per call. Its TOOL_RESULT waits for
        // the TOOL_CALL (the member's publishes are serialized) and appends it again first if that append failed.
        var (recorded, acknowledged) = await member.BeginPublishAsync(AiActions.ToolCall, payload, null, cancellationToken).ConfigureAwait(false);
        var run = ExecuteAsync(member, recorded.EventId, tool, args, cancellationToken);
        try
        {
            return await run.ConfigureAwait(false);
        }
        finally
        {
            // Observed in every case; when the run published its TOOL_RESULT, the TOOL_CALL is in the log (the
            // result's publish appended it again first had this append failed), so only an unfinished run reports it.
            try
            {
                await acknowledged.ConfigureAwait(false);
            }
            catch (Exception) when (run.IsCompletedSuccessfully)
            {
            }
        }
    }

    private bool IsKnown(string tool) => _registry.TryGet(tool, out _) || RemoteHostOf(tool) is not null;

    /// <summary>True when <paramref name="tool"/> (on this node, or on the node of the mesh that serves it) is side-effecting.</summary>
    public bool IsSideEffecting(string tool)
        => _registry.TryGet(tool, out var function) ? ToolRegistry.IsSideEffecting(function) : RemoteHostOf(tool)?.SideEffecting == true;

    /// <summary>
    /// Publishes a side-effecting call inside <paramref name="speculation"/> (its <c>TOOL_CALL</c> carries the
    /// speculation's <c>depends_on</c>) and journals the run: the tool runs, and its <c>TOOL_RESULT</c> is published,
    /// only when the speculation commits; an abort withdraws the call and nothing runs.
    /// </summary>
    internal async Task<AgentEvent> JournalAsync(TopicMember member, Speculation speculation, string tool, IDictionary<string, object?>? arguments, CancellationToken cancellationToken)
    {
        var args = new AIFunctionArguments(arguments ?? new Dictionary<string, object?>());
        using var payload = JsonDocument.Parse(CallPayload(tool, args, RemoteHostOf(tool)?.Node));
        var call = await speculation.PublishAsync(AiActions.ToolCall, payload.RootElement.Clone(), cancellationToken).ConfigureAwait(false);
        speculation.OnCommit(async ct => await ExecuteAsync(member, call.EventId, tool, args, ct).ConfigureAwait(false));
        return call;
    }

    /// <summary>True when <paramref name="tool"/> is registered on this node wrapped in an <see cref="ApprovalRequiredAIFunction"/>.</summary>
    public bool IsApprovalRequired(string tool)
        => _registry.TryGet(tool, out var function) && function.GetService(typeof(ApprovalRequiredAIFunction)) is not null;

    /// <summary>Publishes a call's <c>TOOL_CALL</c> without running it (it waits for a decision, see <see cref="RunAsync"/>).</summary>
    internal Task<AgentEvent> PublishCallAsync(TopicMember member, string tool, IDictionary<string, object?>? arguments, CancellationToken cancellationToken)
        => member.PublishRawAsync(AiActions.ToolCall, CallPayload(tool, new AIFunctionArguments(arguments ?? new Dictionary<string, object?>()), RemoteHostOf(tool)?.Node), null, cancellationToken);

    /// <summary>Runs a call whose <c>TOOL_CALL</c> <paramref name="callId"/> is published, and publishes its <c>TOOL_RESULT</c>.</summary>
    internal Task<ToolInvocation> RunAsync(TopicMember member, string callId, string tool, IDictionary<string, object?>? arguments, CancellationToken cancellationToken)
        => ExecuteAsync(member, callId, tool, new AIFunctionArguments(arguments ?? new Dictionary<string, object?>()), cancellationToken);

    /// <summary>Answers a published call that will never run with an error <c>TOOL_RESULT</c>.</summary>
    internal async Task<ToolInvocation> AnswerNotRunAsync(TopicMember member, string callId, string tool, string error, CancellationToken cancellationToken)
    {
        var invocation = new ToolInvocation(tool, callId, false, default, error, ToolLocality.Local, TimeSpan.Zero);
        await member.PublishRawAsync(AiActions.ToolResult, ResultPayload(invocation, IsSideEffecting(tool), null), null, cancellationToken).ConfigureAwait(false);
        return invocation;
    }

    private HostedTool? RemoteHostOf(string tool)
        => IsAllowed(tool) && !_registry.TryGet(tool, out _) && _registry.Mesh is { } mesh && mesh.TryFindRemote(tool, out var hosted) ? hosted : null;

    /// <summary>Runs a call whose <c>TOOL_CALL</c> is published (in-process, or on its host) and publishes its <c>TOOL_RESULT</c>.</summary>
    private async Task<ToolInvocation> ExecuteAsync(TopicMember member, string callId, string tool, AIFunctionArguments args, CancellationToken cancellationToken)
    {
        _calls++;
        if (RemoteHostOf(tool) is { } remote)
        {
            return await InvokeRemoteAsync(member, remote, callId, args, cancellationToken).ConfigureAwait(false);
        }
        var sideEffecting = false;
        using var activity = AiDiagnostics.StartTool(member.Actor, tool, "local", callId, member.Topic);
        var started = _time.GetTimestamp();
        JsonElement result = default;
        string? error = null, errorType = null;
        if (!IsAllowed(tool))
        {
            error = $"tool '{tool}' is not in this agent's allow-list [{string.Join(", ", _allowed!.Order(StringComparer.Ordinal))}]; it was not run";
            errorType = "murmur.tool_refused";
        }
        else if (!_registry.TryGet(tool, out var function))
        {
            error = $"no tool named '{tool}' is registered on this node{(_registry.Mesh is null ? "" : " or served by another node of its mesh")}; known: [{string.Join(", ", AllowedTools.Select(t => t.Name))}]";
            errorType = "murmur.tool_unknown";
        }
        else
        {
            sideEffecting = ToolRegistry.IsSideEffecting(function);
            try
            {
                var value = await function.InvokeAsync(args, cancellationToken).ConfigureAwait(false);
                result = value is JsonElement element ? element : JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                var inner = ex is TargetInvocationException { InnerException: { } i } ? i : ex;
                error = inner.Message;
                errorType = inner.GetType().FullName;
            }
        }
        var elapsed = _time.GetElapsedTime(started);
        _elapsedTicks += elapsed.Ticks;
        AiDiagnostics.ToolEnded(activity, "local", elapsed, error, errorType);
        AiDiagnostics.ToolContent(activity, () => GenAiMessages.Arguments(args), () => error ?? result.GetRawText());
        var invocation = new ToolInvocation(tool, callId, error is null, result, error, ToolLocality.Local, elapsed);
        // Correlated by call_id in the payload; depends_on is reserved for speculative dependencies.
        await member.PublishRawAsync(AiActions.ToolResult, ResultPayload(invocation, sideEffecting, null), null, cancellationToken).ConfigureAwait(false);
        return invocation;
    }

    private async Task<ToolInvocation> InvokeRemoteAsync(TopicMember member, HostedTool remote, string callId, AIFunctionArguments args, CancellationToken cancellationToken)
    {
        using var activity = AiDiagnostics.StartTool(member.Actor, remote.Name, "remote", callId, member.Topic);
        var reply = await _registry.Mesh!.CallAsync(remote.Node, remote.Name, args, callId, member.Actor, member.Topic, cancellationToken).ConfigureAwait(false);
        _elapsedTicks += reply.RoundTrip.Ticks;
        AiDiagnostics.ToolEnded(activity, "remote", reply.RoundTrip, reply.Error, "murmur.remote_tool_error");
        AiDiagnostics.ToolContent(activity, () => GenAiMessages.Arguments(args), () => reply.Error ?? reply.Result.GetRawText());
        var invocation = new ToolInvocation(remote.Name, callId, reply.Ok, reply.Result, reply.Error, ToolLocality.Remote, reply.RoundTrip)
        {
            Host = reply.Host ?? remote.Node,
            HostElapsed = reply.HostElapsed,
        };
        await member.PublishRawAsync(AiActions.ToolResult, ResultPayload(invocation, remote.SideEffecting, reply.HostElapsed), null, cancellationToken).ConfigureAwait(false);
        return invocation;
    }

    /// <summary>
    /// Answers a <c>TOOL_CALL</c> an earlier incarnation of the agent published but saw no result for: a journaled call
    /// whose speculation never committed is answered "not run"; a call addressed to another node is asked for again
    /// under the same call id (the host runs it at most once and answers it from its inbox if it already did); a local
    /// call is answered "outcome unknown" and not run again. Publishes the <c>TOOL_RESULT</c>.
    /// </summary>
    internal async Task<ToolInvocation> CompleteInterruptedAsync(TopicMember member, AgentEvent call, bool neverRan, CancellationToken cancellationToken)
    {
        var payload = call.GetPayload();
        // Read back from the log: untrusted like any event, so a call without a tool name is answered, not a crash.
        var tool = payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("tool", out var named) && named.ValueKind == JsonValueKind.String
            ? named.GetString()!
            : "(no tool named)";
        if (neverRan)
        {
            var discarded = new ToolInvocation(tool, call.EventId, false, default,
                $"not run: '{tool}' (call {call.EventId}) was journaled until [{string.Join(", ", call.DependsOn)}] were confirmed, and the agent restarted before that; call it again if it is still wanted",
                ToolLocality.Local, TimeSpan.Zero);
            await member.PublishRawAsync(AiActions.ToolResult, ResultPayload(discarded, true, null), null, cancellationToken).ConfigureAwait(false);
            return discarded;
        }
        var host = payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("to", out var to) && to.ValueKind == JsonValueKind.String ? to.GetString() : null;
        if (host is not null && _registry.Mesh is { } mesh)
        {
            var args = payload.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Object
                ? a.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal)
                : [];
            var reply = await mesh.ResumeCallAsync(host, tool, args, call.EventId, member.Actor, member.Topic, cancellationToken).ConfigureAwait(false);
            var remote = new ToolInvocation(tool, call.EventId, reply.Ok, reply.Result, reply.Error, ToolLocality.Remote, reply.RoundTrip) { Host = reply.Host ?? host, HostElapsed = reply.HostElapsed };
            await member.PublishRawAsync(AiActions.ToolResult, ResultPayload(remote, false, reply.HostElapsed), null, cancellationToken).ConfigureAwait(false);
            return remote;
        }
        var error = $"outcome unknown: the agent stopped while '{tool}' ran (call {call.EventId}); it was not run again";
        var local = new ToolInvocation(tool, call.EventId, false, default, error, ToolLocality.Local, TimeSpan.Zero);
        await member.PublishRawAsync(AiActions.ToolResult, ResultPayload(local, false, null), null, cancellationToken).ConfigureAwait(false);
        return local;
    }

    private static byte[] CallPayload(string tool, AIFunctionArguments args, string? host) => JsonObjects.Build(w =>
    {
        w.WriteString("tool", tool);
        w.WritePropertyName("args");
        JsonSerializer.Serialize(w, new Dictionary<string, object?>(args, StringComparer.Ordinal), AIJsonUtilities.DefaultOptions);
        if (host is not null)
        {
            w.WriteString("to", host);
        }
    });

    private static byte[] ResultPayload(ToolInvocation invocation, bool sideEffecting, TimeSpan? hostElapsed) => JsonObjects.Build(w =>
    {
        w.WriteString("tool", invocation.Tool);
        w.WriteString("call_id", invocation.CallId);
        w.WriteBoolean("ok", invocation.Ok);
        if (invocation.Ok)
        {
            w.WritePropertyName("result");
            invocation.Result.WriteTo(w);
        }
        else
        {
            w.WriteString("error", invocation.Error);
            w.WriteBoolean("is_error", true); // read by the core's ToolResult view
        }
        w.WriteString("locality", invocation.Locality == ToolLocality.Remote ? "remote" : "local");
        w.WriteNumber("elapsed_us", (long)invocation.Elapsed.TotalMicroseconds);
        if (invocation.Host is { } host)
        {
            w.WriteString("host", host);
        }
        if (hostElapsed is { } ran)
        {
            w.WriteNumber("tool_us", (long)ran.TotalMicroseconds);
        }
        if (sideEffecting)
        {
            w.WriteBoolean("side_effecting", true);
        }
    });
}
