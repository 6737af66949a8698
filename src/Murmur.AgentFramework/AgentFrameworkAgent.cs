using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Murmur.AI.Agents;
using Murmur.AI.Events;
using Murmur.AI.Telemetry;
using Murmur.AI.Tools;
using Murmur.Agents;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Topics;

namespace Murmur.AgentFramework;

/// <summary>
/// A Microsoft Agent Framework <see cref="AIAgent"/> as a supervised Murmur process on a topic: events it accepts
/// become its input messages, each batch is one run, its answer is published as <c>MESSAGE</c> then
/// <c>TASK_COMPLETE</c>, its function tools run through Murmur's <see cref="ToolInvoker"/> (recorded as
/// <c>TOOL_CALL</c>/<c>TOOL_RESULT</c>), and its <see cref="AgentSession"/> is published after every run as
/// <see cref="AgentFrameworkActions.Session"/>, so a restarted agent resumes the conversation.
/// </summary>
/// <remarks>
/// <para>Spawn it with <see cref="MurmurNodeAgentFrameworkExtensions.SpawnAsync(MurmurNode, AgentId, AIAgent, Topic, AgentFrameworkAgentOptions?, SpawnOptions?, CancellationToken)"/>.</para>
/// <para>On (re)start the agent is handed the topic's history: it takes the latest own session event, and every accepted
/// event after it (not at or before it by vector clock) is run on — so a run that was cut short before its session was
/// published is run again (its answer may then appear twice; its read-only tools may run twice).</para>
/// <para>Tools: a call to a tool named in <see cref="AgentFrameworkAgentOptions.AllowedTools"/> runs as that node tool (co-located,
/// or on the node of the mesh that serves it); any other call runs the agent's own function, recorded the same way.
/// This needs an agent whose function calls go through a chat client pipeline (<c>ChatClientAgent</c>); another kind
/// of agent still runs, but its tool calls are not seen.</para>
/// </remarks>
public sealed partial class AgentFrameworkAgent : Agent
{
    private readonly AIAgent _inner;
    private readonly AIAgent _agent;
    private readonly ToolRegistry _nodeTools;
    private readonly Topic? _topic;
    private readonly List<AgentEvent> _pending = [];
    private readonly HashSet<string> _applied = new(StringComparer.Ordinal);
    private AgentSession? _session;
    private VectorClock? _sessionClock;
    private bool _goalDone;
    private ToolInvoker? _invoker;
    private TopicMember? _running;
    private TopicMember? _due;          // a run is scheduled (after a replay) in this membership
    private string? _runKey;          // what the running run answers (its input events), for approval call ids
    private int _approvalsInRun;

    /// <summary>Creates the process for <paramref name="agent"/>.</summary>
    /// <param name="agent">The Agent Framework agent.</param>
    /// <param name="nodeTools">The node's tools (<c>node.Tools()</c>).</param>
    /// <param name="options">Inputs, tools, goal; <see cref="AgentFrameworkAgentOptions.Default"/> when null.</param>
    /// <param name="topic">The topic it is spawned on: its history is read when the agent starts, so the latest session is restored before any event is handled.</param>
    public AgentFrameworkAgent(AIAgent agent, ToolRegistry nodeTools, AgentFrameworkAgentOptions? options = null, Topic? topic = null)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(nodeTools);
        _inner = agent;
        _nodeTools = nodeTools;
        _topic = topic;
        Options = options ?? AgentFrameworkAgentOptions.Default;
        Options.Validate();
        // Function calls of a chat-client agent pass through InvokeToolAsync; others run as they are.
        _agent = agent.GetService<ChatClientAgent>() is not null ? agent.AsBuilder().Use(InvokeToolAsync).Build() : agent;
    }

    /// <summary>The options.</summary>
    public AgentFrameworkAgentOptions Options { get; }

    /// <summary>The session of the conversation so far (null before the first run).</summary>
    public AgentSession? Session => _session;

    /// <inheritdoc/>
    protected override async ValueTask OnStartedAsync(CancellationToken cancellationToken)
    {
        if (Topics.Count == 0)
        {
            throw new InvalidOperationException("An Agent Framework agent needs a topic: spawn it with node.SpawnAsync(id, aiAgent, topic).");
        }
        // Restore first: the views that follow may hand the history over in parts, and an input before the latest
        // session must not start a run of its own. The node keeps a window of the topic; when it trimmed some and the
        // window holds no session of this agent, the whole topic is read back from the log.
        if (_topic is null)
        {
            return;
        }
        var actor = Topics[0].Actor;
        AgentEvent? latest = null;
        void See(AgentEvent e)
        {
            if (string.Equals(e.Actor, actor, StringComparison.Ordinal))
            {
                _goalDone |= e.Action == Actions.TaskComplete;
                latest = e.Action == AgentFrameworkActions.Session ? e : latest;
            }
        }
        foreach (var e in _topic.History)
        {
            See(e);
        }
        if (latest is null && _topic.Trimmed > 0)
        {
            await foreach (var e in _topic.ReadHistoryAsync(cancellationToken).ConfigureAwait(false))
            {
                See(e);
            }
        }
        if (latest is not null)
        {
            _goalDone = true;
            await RestoreAsync(latest, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        var actor = view.Member.Actor;
        foreach (var e in view.New)
        {
            if (string.Equals(e.Actor, actor, StringComparison.Ordinal))
            {
                // A run of an earlier incarnation (or of this one) ended here: the goal was answered.
                _goalDone |= e.Action is Actions.TaskComplete or AgentFrameworkActions.Session;
                RememberAnnounced(e);
                if (e.Action == AgentFrameworkActions.Session)
                {
                    await RestoreAsync(e, cancellationToken).ConfigureAwait(false);
                }
                continue;
            }
            if (Accepts(e, actor) && !(_sessionClock is { } upTo && e.Clock.Compare(upTo) is ClockOrder.Before or ClockOrder.Equal))
            {
                _pending.Add(e);
            }
        }
        if (view.IsReplay)
        {
            // A replay is handed over while the agent starts: a run can wait for a person's approval, and the start
            // (and the spawn that waits for it) must not. Runs start in a turn of their own once the agent is up.
            if (_due is null && (_pending.Count > 0 || (!_goalDone && Options.Goal is not null)))
            {
                _due = view.Member;
                Context.Send(Context.Self, RunDue.Instance);
            }
            return;
        }
        await RunDueAsync(view.Member, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the goal if it was not answered yet, then the inputs that arrived since the last run.</summary>
    private async Task RunDueAsync(TopicMember member, CancellationToken cancellationToken)
    {
        if (!_goalDone && Options.Goal is { } goal)
        {
            _goalDone = true;
            await RunAsync(member, [new ChatMessage(ChatRole.User, goal)], "goal:" + goal, cancellationToken).ConfigureAwait(false);
        }
        if (_pending.Count > 0)
        {
            var inputs = _pending.Select(e => EventMessages.AsData(e, Options.MaxEventChars)).ToList();
            var runKey = "events:" + string.Join(',', _pending.Select(e => e.EventId));
            _pending.Clear();
            await RunAsync(member, inputs, runKey, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
    {
        if (message is RunDue && _due is { } due)
        {
            _due = null;
            await RunDueAsync(due, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (message is LlmAgentTask task)
        {
            var member = task.Topic is null ? Topics[0] : Topic(task.Topic);
            await RunAsync(member, [new ChatMessage(ChatRole.User, task.Goal)], null, cancellationToken).ConfigureAwait(false);
        }
    }

    private bool Accepts(AgentEvent e, string actor)
        => Options.Accepts?.Invoke(e, actor)
            ?? ((e.Action == Actions.Message && EventMessages.IsAddressedTo(e, actor)) || (e.Action == AiActions.Finding && Options.ReactToFindings));

    private async Task RestoreAsync(AgentEvent e, CancellationToken cancellationToken)
    {
        // Events at or before the session event are in it; drop inputs the session already holds.
        _sessionClock = e.Clock;
        _pending.RemoveAll(p => p.Clock.Compare(e.Clock) is ClockOrder.Before or ClockOrder.Equal);
        if (_applied.Contains(e.EventId))
        {
            return; // published or restored by this instance: its session is current
        }
        _applied.Add(e.EventId);
        var payload = e.GetPayload();
        if (payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("session", out var session))
        {
            _session = await _agent.DeserializeSessionAsync(session, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    // runKey: what the run answers, the same when a restarted instance runs the same inputs again (null: a task sent as
    // a message, which a restart does not run again).
    private async Task RunAsync(TopicMember member, IReadOnlyList<ChatMessage> inputs, string? runKey, CancellationToken cancellationToken)
    {
        var actor = member.Actor;
        var name = _inner.Name ?? actor;
        var metadata = _inner.GetService<AIAgentMetadata>();
        using var invoke = AiDiagnostics.StartInvokeAgent(actor, name, member.Topic, metadata?.ProviderName);
        _session ??= await _agent.CreateSessionAsync(cancellationToken).ConfigureAwait(false);
        _invoker ??= new ToolInvoker(_nodeTools, Options.AllowedTools, Context.TimeProvider);
        var offered = _invoker.AllowedTools;
        var runOptions = offered.Count == 0 ? null : new ChatClientAgentRunOptions(new ChatOptions { Tools = [.. offered.Select(WithApproval)] });
        AgentResponse response;
        _running = member;
        _runKey = runKey;
        _approvalsInRun = 0;
        try
        {
            response = await _agent.RunAsync(inputs, _session, runOptions, cancellationToken).ConfigureAwait(false);
            // The agent stops at tools that need approval; each decision goes back to it, and it carries on.
            while (response.Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>().ToList() is { Count: > 0 } requests)
            {
                var answers = new List<AIContent>(requests.Count);
                foreach (var request in requests)
                {
                    answers.Add(await DecideAsync(member, request, cancellationToken).ConfigureAwait(false));
                }
                response = await _agent.RunAsync([new ChatMessage(ChatRole.User, answers)], _session, runOptions, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            AiDiagnostics.SetError(invoke, ex.GetType().FullName ?? ex.GetType().Name);
            throw; // the supervisor decides; the inputs are run again by the restarted instance
        }
        finally
        {
            _running = null;
        }
        var text = response.Text;
        await member.PublishAsync(Actions.Message, new { text }, null, cancellationToken).ConfigureAwait(false);
        await member.PublishAsync(Actions.TaskComplete, new { status = "done", reason = "the agent answered", summary = text }, null, cancellationToken).ConfigureAwait(false);
        if (Options.PersistSession)
        {
            var session = await _agent.SerializeSessionAsync(_session, cancellationToken: cancellationToken).ConfigureAwait(false);
            var published = await member.PublishAsync(AgentFrameworkActions.Session, new { agent = name, session }, null, cancellationToken).ConfigureAwait(false);
            _applied.Add(published.EventId);
        }
    }

    /// <summary>Function middleware: every tool call of the agent runs through Murmur's invoker and is recorded in the topic.</summary>
    private async ValueTask<object?> InvokeToolAsync(AIAgent agent, FunctionInvocationContext context, Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>> next, CancellationToken cancellationToken)
    {
        if (_running is not { } member)
        {
            return await next(context, cancellationToken).ConfigureAwait(false);
        }
        var name = context.Function.Name;
        var arguments = new Dictionary<string, object?>(context.Arguments, StringComparer.Ordinal);
        ToolInvocation invocation;
        if (Options.AllowedTools.Contains(name))
        {
            invocation = await _invoker!.InvokeAsync(member, name, arguments, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // The agent's own function: run through an invoker over a one-tool registry, so it is recorded like a node tool.
            var own = new ToolRegistry().Add(new OwnFunction(context, next));
            invocation = await new ToolInvoker(own, null, Context.TimeProvider).InvokeAsync(member, name, arguments, cancellationToken).ConfigureAwait(false);
        }
        return invocation.Ok ? invocation.Result : "error: " + invocation.Error;
    }

    /// <summary>The agent's own function as the framework would run it (<paramref name="next"/>), under its name and schema.</summary>
    private sealed class OwnFunction(FunctionInvocationContext context, Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>> next) : AIFunction
    {
        public override string Name => context.Function.Name;

        public override string Description => context.Function.Description;

        public override JsonElement JsonSchema => context.Function.JsonSchema;

        public override IReadOnlyDictionary<string, object?> AdditionalProperties => context.Function.AdditionalProperties;

        protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) => next(context, cancellationToken);
    }

    /// <summary>Asks the agent to run what is due, in a turn of its own (sent to itself after a replay).</summary>
    private sealed class RunDue
    {
        public static readonly RunDue Instance = new();
    }
}
