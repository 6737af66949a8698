using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Murmur.AI.Tools;

/// <summary>
/// Runs a node's tools in-process for one agent and records every call in the agent's topic:
/// <c>TOOL_CALL</c> <c>{"tool":…,"args":{…}}</c>, then <c>TOOL_RESULT</c>
/// <c>{"tool":…,"call_id":…,"ok":…,"result"|"error":…,"locality":"local","elapsed_us":…}</c>.
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

    /// <summary>The registered tools this agent may call, ordered by name.</summary>
    public IReadOnlyList<AIFunction> AllowedTools => [.. _registry.All.Where(t => IsAllowed(t.Name))];

    /// <summary>Publishes <c>TOOL_CALL</c>, runs the tool (if allowed and registered), publishes <c>TOOL_RESULT</c>.</summary>
    /// <param name="member">The agent's membership of the topic to record the call in.</param>
    /// <param name="tool">The tool's name.</param>
    /// <param name="arguments">The arguments (JSON elements or plain values).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome; a refused or failing tool is an outcome with <see cref="ToolInvocation.Ok"/> false, never an exception.</returns>
    /// <exception cref="EventLogException">The log refused an append.</exception>
    public async Task<ToolInvocation> InvokeAsync(TopicMember member, string tool, IDictionary<string, object?>? arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(member);
        ArgumentException.ThrowIfNullOrEmpty(tool);
        var args = new AIFunctionArguments(arguments ?? new Dictionary<string, object?>());
        var call = await member.PublishRawAsync(Actions.ToolCall, CallPayload(tool, args), null, cancellationToken).ConfigureAwait(false);
        _calls++;

        var sideEffecting = false;
        using var activity = MurmurDiagnostics.StartTool(member.Actor, tool, "local");
        var started = _time.GetTimestamp();
        JsonElement result = default;
        string? error = null;
        if (!IsAllowed(tool))
        {
            error = $"tool '{tool}' is not in this agent's allow-list [{string.Join(", ", _allowed!.Order(StringComparer.Ordinal))}]; it was not run";
        }
        else if (!_registry.TryGet(tool, out var function))
        {
            error = $"no tool named '{tool}' is registered on this node; known: [{string.Join(", ", _registry.All.Select(t => t.Name))}]";
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
            }
        }
        var elapsed = _time.GetElapsedTime(started);
        _elapsedTicks += elapsed.Ticks;
        MurmurDiagnostics.ToolEnded(activity, "local", elapsed, error);
        var invocation = new ToolInvocation(tool, call.EventId, error is null, result, error, ToolLocality.Local, elapsed);
        // Correlated by call_id in the payload; depends_on is reserved for speculative dependencies.
        await member.PublishRawAsync(Actions.ToolResult, ResultPayload(invocation, sideEffecting), null, cancellationToken).ConfigureAwait(false);
        return invocation;
    }

    private static byte[] CallPayload(string tool, AIFunctionArguments args) => Build(w =>
    {
        w.WriteString("tool", tool);
        w.WritePropertyName("args");
        JsonSerializer.Serialize(w, new Dictionary<string, object?>(args, StringComparer.Ordinal), AIJsonUtilities.DefaultOptions);
    });

    private static byte[] ResultPayload(ToolInvocation invocation, bool sideEffecting) => Build(w =>
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
        w.WriteString("locality", "local");
        w.WriteNumber("elapsed_us", (long)invocation.Elapsed.TotalMicroseconds);
        if (sideEffecting)
        {
            w.WriteBoolean("side_effecting", true);
        }
    });

    private static byte[] Build(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
