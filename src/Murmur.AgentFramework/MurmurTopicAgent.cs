using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Murmur.AI.Events;
using Murmur.Agents;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.AgentFramework;

/// <summary>
/// A Murmur topic as an Agent Framework <see cref="AIAgent"/>, so a workflow can hand work to a Murmur mesh: a run
/// opens the session's topic (starting the task there the first time, <see cref="MurmurTopicAgentOptions.StartTask"/>),
/// publishes the input as a <c>MESSAGE</c>, streams the topic's events as updates, and ends at the <c>TASK_COMPLETE</c>
/// that answers it (one that causally follows the request).
/// </summary>
/// <remarks>
/// <para>Updates: every event delivered after the request is one <see cref="AgentResponseUpdate"/> whose
/// <see cref="AgentResponseUpdate.RawRepresentation"/> is the <see cref="AgentEvent"/>, whose author is the event's actor,
/// and whose text is the event's <c>text</c> (a <c>MESSAGE</c>) or <c>summary</c> (a <c>FINDING</c>); other events carry
/// no text. The run's response therefore reads as what the mesh's agents said.</para>
/// <para>Thread-safe; one run at a time per session (a second concurrent run of the same session is refused).</para>
/// </remarks>
public sealed class MurmurTopicAgent : AIAgent
{
    private readonly MurmurNode _node;
    private readonly MurmurTopicAgentOptions _options;
    private readonly ConcurrentDictionary<string, Task<Relay>> _relays = new(StringComparer.Ordinal);

    /// <summary>Creates the agent over <paramref name="node"/>.</summary>
    public MurmurTopicAgent(MurmurNode node, MurmurTopicAgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Name);
        if (options.Topic is { } topic && TopicName.Check(topic) is { } bad)
        {
            throw new ArgumentException($"MurmurTopicAgentOptions.Topic '{topic}' is not a valid topic name: {bad}.", nameof(options));
        }
        _node = node;
        _options = options;
    }

    /// <inheritdoc/>
    public override string? Name => _options.Name;

    /// <inheritdoc/>
    public override string? Description => _options.Description;

    /// <inheritdoc/>
    protected override ValueTask<AgentSession> CreateSessionCoreAsync(CancellationToken cancellationToken = default)
        => ValueTask.FromResult<AgentSession>(new MurmurTopicSession(_options.Topic ?? _options.TopicPrefix + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)), false));

    /// <inheritdoc/>
    protected override ValueTask<JsonElement> SerializeSessionCoreAsync(AgentSession session, JsonSerializerOptions? jsonSerializerOptions = null, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(AsTopicSession(session).Serialize());

    /// <inheritdoc/>
    protected override ValueTask<AgentSession> DeserializeSessionCoreAsync(JsonElement serializedState, JsonSerializerOptions? jsonSerializerOptions = null, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<AgentSession>(MurmurTopicSession.Deserialize(serializedState));

    /// <inheritdoc/>
    protected override async Task<AgentResponse> RunCoreAsync(IEnumerable<ChatMessage> messages, AgentSession? session = null, AgentRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        var updates = new List<AgentResponseUpdate>();
        await foreach (var update in RunCoreStreamingAsync(messages, session, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
        }
        var response = updates.ToAgentResponse();
        response.AgentId = Id;
        return response;
    }

    /// <inheritdoc/>
    protected override async IAsyncEnumerable<AgentResponseUpdate> RunCoreStreamingAsync(IEnumerable<ChatMessage> messages, AgentSession? session = null, AgentRunOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var topicSession = session is null ? (MurmurTopicSession)await CreateSessionAsync(cancellationToken).ConfigureAwait(false) : AsTopicSession(session);
        var text = string.Join("\n", messages.Where(m => m.Role == ChatRole.User || m.Role == ChatRole.System).Select(m => m.Text).Where(t => t.Length > 0));
        if (text.Length == 0)
        {
            throw new ArgumentException("A Murmur topic agent needs a user message with text to hand to the mesh.", nameof(messages));
        }
        var relay = await _relays.GetOrAdd(topicSession.Topic, t => OpenAsync(t, cancellationToken)).ConfigureAwait(false);
        var channel = relay.BeginRun() ?? throw new InvalidOperationException($"A run of the session on topic '{topicSession.Topic}' is already in progress.");
        using var timeout = new CancellationTokenSource(_options.Timeout, _node.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            if (!topicSession.Started)
            {
                if (_options.StartTask is { } start)
                {
                    await start(_node, relay.Topic, linked.Token).ConfigureAwait(false);
                }
                topicSession.Started = true;
            }
            var request = await relay.Member.PublishAsync(Actions.Message, _options.To is null ? new { text } : new { to = _options.To, text }, null, linked.Token).ConfigureAwait(false);
            var responseId = request.EventId;
            while (true)
            {
                AgentEvent e;
                try
                {
                    e = await channel.Reader.ReadAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"The Murmur topic '{topicSession.Topic}' did not complete the request {responseId} within {_options.Timeout.TotalSeconds:0.#} s.");
                }
                if (e.EventId == request.EventId || string.Equals(e.Actor, relay.Member.Actor, StringComparison.Ordinal))
                {
                    continue;
                }
                yield return ToUpdate(e, responseId);
                var follows = request.Clock.Compare(e.Clock) == ClockOrder.Before;
                if (follows && (_options.CompletesWhen?.Invoke(e) ?? IsDefaultEnd(e)))
                {
                    yield break;
                }
            }
        }
        finally
        {
            relay.EndRun();
        }
    }

    private bool IsDefaultEnd(AgentEvent e)
        => e.Action == Actions.TaskComplete && (_options.To is null || string.Equals(e.Actor, _options.To, StringComparison.Ordinal));

    private AgentResponseUpdate ToUpdate(AgentEvent e, string responseId)
    {
        string? text = null;
        try
        {
            var payload = e.GetPayload();
            if (payload.ValueKind == JsonValueKind.Object)
            {
                var key = e.Action == Actions.Message ? "text" : e.Action == AiActions.Finding ? "summary" : null;
                if (key is not null && payload.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    text = value.GetString();
                }
            }
        }
        catch (JsonException)
        {
            // Another agent's malformed payload: the update carries the event, without text.
        }
        return new AgentResponseUpdate(ChatRole.Assistant, text is null ? [] : [new TextContent(text)])
        {
            AuthorName = e.Actor,
            AgentId = Id,
            ResponseId = responseId,
            MessageId = e.EventId,
            RawRepresentation = e,
            AdditionalProperties = new() { ["murmur.action"] = e.Action, ["murmur.event_id"] = e.EventId },
        };
    }

    private async Task<Relay> OpenAsync(string topicName, CancellationToken cancellationToken)
    {
        var topic = await _node.OpenTopicAsync(topicName, _options.Consistency, cancellationToken).ConfigureAwait(false);
        var relay = new Relay(topic);
        var actor = _options.ClientActor ?? _options.Name.Replace(' ', '_') + "_Client";
        await _node.SpawnAsync(actor, () => new RelayAgent(relay), topic, new SpawnOptions { Restart = Restart.Transient }, cancellationToken).ConfigureAwait(false);
        await relay.Joined.WaitAsync(cancellationToken).ConfigureAwait(false);
        return relay;
    }

    private static MurmurTopicSession AsTopicSession(AgentSession session)
        => session as MurmurTopicSession ?? throw new ArgumentException($"The session is a {session.GetType().Name}, not a MurmurTopicSession from this agent.", nameof(session));

    /// <summary>The client's membership of a session topic, and the channel of the run in progress.</summary>
    private sealed class Relay(Topic topic)
    {
        private readonly TaskCompletionSource<TopicMember> _member = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Channel<AgentEvent>? _run;

        public Topic Topic { get; } = topic;

        public Task Joined => _member.Task;

        public TopicMember Member => _member.Task.Result;

        public void Join(TopicMember member) => _member.TrySetResult(member);

        public Channel<AgentEvent>? BeginRun()
        {
            var run = Channel.CreateUnbounded<AgentEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            return Interlocked.CompareExchange(ref _run, run, null) is null ? run : null;
        }

        public void EndRun() => Volatile.Write(ref _run, null);

        public void Deliver(AgentEvent e) => Volatile.Read(ref _run)?.Writer.TryWrite(e);
    }

    /// <summary>The client agent on the topic: hands every delivered event to the run in progress.</summary>
    private sealed class RelayAgent(Relay relay) : Agent
    {
        protected override ValueTask OnStartedAsync(CancellationToken cancellationToken)
        {
            relay.Join(Topics[0]);
            return ValueTask.CompletedTask;
        }

        protected override ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
        {
            foreach (var e in view.New)
            {
                relay.Deliver(e);
            }
            return ValueTask.CompletedTask;
        }
    }
}
