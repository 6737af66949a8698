using System.Text.Json;
using Murmur.Agents;
using Murmur.Causality;
using Murmur.Diagnostics;
using Murmur.Events;
using Murmur.Logs;

namespace Murmur.Topics;

/// <summary>
/// An agent's membership of a topic: its roster index, what it has seen, and publishing. The runtime stamps
/// every published event's vector clock; user code never handles clocks.
/// </summary>
/// <remarks>
/// Publish from the agent's own handlers. Publishes of one member are serialized, and an append that failed
/// is appended again (same event id) before the next one, so the member's sequence never has a gap or a fork.
/// </remarks>
public sealed class TopicMember
{
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _publishing = new(1, 1);
    private SpeculationTracker? _speculations;
    private SeenAt? _seen;            // the clock at the member's position, computed when asked for
    private ulong _ownSeq;
    private (AgentEvent Event, LogRecord Record)? _unacknowledged;
    private long _completedRound = -1;
    private long _publishedRound = -1;

    internal TopicMember(TopicHost host, AgentId id, int index, ulong ownSeq, ulong epoch = 1)
    {
        Epoch = epoch;
        Host = host;
        AgentId = id;
        Actor = id.ToString();
        Index = index;
        _ownSeq = ownSeq;
        Delivery = new MemberDelivery(this);
    }

    internal TopicHost Host { get; }

    /// <summary>Hands the member's agent its events (and is the wake-up the topic posts).</summary>
    internal MemberDelivery Delivery { get; }

    internal SpeculationTracker Speculations => _speculations ??= new SpeculationTracker(this);

    /// <summary>The member's speculation tracker when it has one (it speculated, or was handed a decision).</summary>
    internal SpeculationTracker? SpeculationsIfAny => _speculations;

    internal Agent? Instance { get; set; }

    /// <summary>The last strict round this member completed here (-1 for none).</summary>
    internal long CompletedRound => _completedRound;

    /// <summary>The topic's name.</summary>
    public string Topic => Host.Name;

    /// <summary>The topic's consistency mode.</summary>
    public Consistency Consistency => Host.Consistency;

    /// <summary>The member's agent id.</summary>
    public AgentId AgentId { get; }

    /// <summary>The member's name in events (<c>actor</c>).</summary>
    public string Actor { get; }

    /// <summary>The ownership epoch this node holds the agent at: 1 when it joined it, more after a <c>CLAIM</c> (a takeover).</summary>
    public ulong Epoch { get; }

    /// <summary>True once another node claimed the agent at a later epoch: this copy is a zombie, and its events are refused.</summary>
    public bool IsFenced => Host.Reader.Screen.CurrentOwner(Actor).Epoch > Epoch;

    /// <summary>The member's index in the topic's roster, which is its entry in every vector clock.</summary>
    public int Index { get; }

    /// <summary>Everything this member's agent instance has been handed, as a vector clock.</summary>
    public VectorClock Seen => Delivery.Seen;

    /// <summary>How many events this member has published (its own clock entry).</summary>
    public ulong Sequence => _ownSeq;

    /// <summary>The strict round this member is in (the topic's open round, 0 for the first); null in eventual topics.</summary>
    public int? Round => Consistency == Consistency.Strict ? Host.ClosedRounds : null;

    /// <summary>The clock of the first <paramref name="index"/> delivered events, cached for the member's current position.</summary>
    internal VectorClock ClockAt(long index)
    {
        if (Volatile.Read(ref _seen) is { } seen && seen.Index == index)
        {
            return seen.Clock;
        }
        var clock = Host.ClockAt(index);
        if (index == Delivery.DeliveredIndex)
        {
            Volatile.Write(ref _seen, new SeenAt(clock, index));
        }
        return clock;
    }

    internal void ForgetSeen() => Volatile.Write(ref _seen, null);

    /// <summary>A clock and the history position it belongs to, replaced as one reference.</summary>
    private sealed record SeenAt(VectorClock Clock, long Index);

    /// <summary>Starts speculative work on provisional events (eventual topics); see <see cref="Speculation"/>.</summary>
    /// <exception cref="InvalidOperationException">The topic is strict: strict rounds never act on provisional state.</exception>
    public Speculation Speculate(IReadOnlyList<string> dependsOn)
    {
        ArgumentNullException.ThrowIfNull(dependsOn);
        if (Consistency == Consistency.Strict)
        {
            throw new InvalidOperationException($"Topic '{Topic}' is strict; speculation exists only in eventual topics.");
        }
        if (dependsOn.Count == 0)
        {
            throw new ArgumentException("A speculation depends on at least one event.", nameof(dependsOn));
        }
        return Speculations.Start(dependsOn);
    }

    /// <summary>True when this member has seen <paramref name="eventId"/> confirmed (its producer's <c>TASK_COMPLETE</c>, or a commit listing it).</summary>
    public bool IsConfirmed(string eventId) => _speculations?.IsConfirmed(eventId) == true;

    /// <summary>True when this member has seen <paramref name="eventId"/> withdrawn (<c>RETRACT</c>, or an abort listing it).</summary>
    public bool IsWithdrawn(string eventId) => _speculations?.IsWithdrawn(eventId) == true;

    internal ValueTask NotifyAbortedAsync(Speculation speculation, CancellationToken cancellationToken)
        => Instance is { } agent ? agent.InvokeSpeculationAbortedAsync(speculation, cancellationToken) : ValueTask.CompletedTask;

    internal ValueTask NotifyCommittedAsync(Speculation speculation, CancellationToken cancellationToken)
        => Instance is { } agent ? agent.InvokeSpeculationCommittedAsync(speculation, cancellationToken) : ValueTask.CompletedTask;

    /// <summary>Publishes an event whose payload is <paramref name="payload"/> serialized as JSON (web defaults), or <c>{}</c> when null.</summary>
    /// <returns>The event as appended, with its id and vector clock.</returns>
    /// <exception cref="EventLogException">The log refused or failed the append (after retries). The event is kept and appended again first by the next publish.</exception>
    public Task<AgentEvent> PublishAsync(string action, object? payload = null, IReadOnlyList<string>? dependsOn = null, CancellationToken cancellationToken = default)
    {
        var json = payload switch
        {
            null => ReadOnlyMemory<byte>.Empty,
            JsonElement element => JsonSerializer.SerializeToUtf8Bytes(element),
            _ => JsonSerializer.SerializeToUtf8Bytes(payload, payload.GetType(), PayloadJson),
        };
        return PublishRawAsync(action, json, dependsOn, cancellationToken);
    }

    /// <summary>Publishes an event whose payload is the given UTF-8 JSON value.</summary>
    /// <exception cref="ArgumentException">The action is empty or the payload is not one JSON value.</exception>
    public async Task<AgentEvent> PublishRawAsync(string action, ReadOnlyMemory<byte> payloadJson, IReadOnlyList<string>? dependsOn = null, CancellationToken cancellationToken = default)
    {
        var (@event, acknowledged) = await BeginPublishAsync(action, payloadJson, dependsOn, cancellationToken).ConfigureAwait(false);
        await acknowledged.ConfigureAwait(false);
        return @event;
    }

    /// <summary>
    /// Stamps and starts appending an event, and returns it with the append still in flight: the caller may act on
    /// the event's id while the log acknowledges it. The member's next publish waits for this append (and appends the
    /// event again first if it failed), so the sequence stays gap-free and in order. The caller must await
    /// <c>Acknowledged</c>; it fails like <see cref="PublishRawAsync"/>.
    /// </summary>
    public async Task<(AgentEvent Event, Task Acknowledged)> BeginPublishAsync(string action, ReadOnlyMemory<byte> payloadJson, IReadOnlyList<string>? dependsOn = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(action);
        var activity = MurmurDiagnostics.StartPublish(Host.NodeId, Topic, Actor, action);
        try
        {
            await _publishing.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            activity?.Dispose();
            throw;
        }
        AgentEvent @event;
        LogRecord record;
        try
        {
            if (_unacknowledged is { } earlier)
            {
                await Host.Appender.AppendAsync(earlier.Event, earlier.Record, cancellationToken).ConfigureAwait(false);
                _unacknowledged = null;
            }
            int? round = null;
            if (Consistency == Consistency.Strict)
            {
                var open = Host.ClosedRounds;
                var isMarker = string.Equals(action, Actions.RoundDone, StringComparison.Ordinal);
                if (!isMarker && _completedRound >= open)
                {
                    throw new InvalidOperationException(
                        $"'{Actor}' already completed round {open} of strict topic '{Topic}'; publish in the next round's view.");
                }
                round = open;
                _publishedRound = open;
            }
            await Host.WaitForRoomAsync(this, cancellationToken).ConfigureAwait(false);
            var seq = _ownSeq + 1;
            (@event, record) = Host.Appender.Prepare(Host.Appender.Create(Actor, action, payloadJson, StampClock(seq), dependsOn, round, traceParent: MurmurDiagnostics.TraceParentOf(activity), epoch: Epoch));
            MurmurDiagnostics.Published(activity, @event);
            _ownSeq = seq;
            _unacknowledged = (@event, record);
        }
        catch
        {
            _publishing.Release();
            activity?.Dispose();
            throw;
        }
        return (@event, AcknowledgeAsync(@event, record, activity, cancellationToken));
    }

    private async Task AcknowledgeAsync(AgentEvent @event, LogRecord record, System.Diagnostics.Activity? activity, CancellationToken cancellationToken)
    {
        try
        {
            await Host.Appender.AppendAsync(@event, record, cancellationToken).ConfigureAwait(false);
            _unacknowledged = null;
        }
        finally
        {
            _publishing.Release();
            activity?.Dispose();
        }
    }

    /// <summary>
    /// Ends this member's part of the open strict round (<c>ROUND_DONE</c>). The runtime does this by itself when
    /// <see cref="Agent.OnEventsAsync"/> returns, and at the end of any handler that published in the round.
    /// </summary>
    public async Task CompleteRoundAsync(CancellationToken cancellationToken = default)
    {
        if (Consistency != Consistency.Strict)
        {
            throw new InvalidOperationException($"Topic '{Topic}' is eventual; rounds exist only in strict topics.");
        }
        var round = Host.ClosedRounds;
        if (_completedRound >= round)
        {
            return;
        }
        await PublishRawAsync(Actions.RoundDone, System.Text.Encoding.UTF8.GetBytes($"{{\"round\":{round}}}"), null, cancellationToken).ConfigureAwait(false);
        _completedRound = round;
    }

    /// <summary>After a handler: a strict member that published in the open round completes it.</summary>
    internal Task CompleteIfPublishedAsync(CancellationToken cancellationToken)
        => Consistency == Consistency.Strict && _publishedRound >= 0 && _publishedRound > _completedRound && _publishedRound == Host.ClosedRounds
            ? CompleteRoundAsync(cancellationToken)
            : Task.CompletedTask;

    /// <summary>
    /// Saves <paramref name="state"/> (serialized as JSON, web defaults) as this member's snapshot at what it has seen: a
    /// restarted instance of an agent that overrides <see cref="Agent.RestoreAsync"/> gets it back and is handed only the
    /// events after it. Agents that override <see cref="Agent.SnapshotAsync"/> are snapshotted by the runtime every
    /// <see cref="MurmurNodeOptions.SnapshotEvery"/> events; call this to save one at a point of your choosing.
    /// </summary>
    /// <exception cref="EventLogException">The log failed the append.</exception>
    public async Task SaveSnapshotAsync(object state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        var index = Delivery.DeliveredIndex;
        if (index < Host.First)
        {
            throw new InvalidOperationException($"'{Actor}' is still being handed the history of topic '{Topic}'; snapshot after it caught up.");
        }
        var clock = Seen;
        var position = Host.ResumePosition(index);
        await Snapshots.SaveAsync(Host, Actor, clock, position, Snapshots.Serialize(state), cancellationToken).ConfigureAwait(false);
        MurmurDiagnostics.Count(MurmurDiagnostics.Snapshots, Topic);
    }

    /// <summary>Every event of the topic delivered on this node, from the first (see <see cref="Murmur.Topics.Topic.ReadHistoryAsync"/>).</summary>
    public IAsyncEnumerable<AgentEvent> ReadHistoryAsync(CancellationToken cancellationToken = default) => Host.ReadHistoryAsync(cancellationToken);

    /// <summary>Leaves the topic (a <c>LEAVE</c> event); the member no longer holds strict rounds.</summary>
    public Task<AgentEvent> LeaveAsync(CancellationToken cancellationToken = default)
        => PublishAsync(Actions.Leave, null, null, cancellationToken);

    private VectorClock StampClock(ulong seq)
    {
        var seen = Seen.Entries;
        var entries = new ulong[Math.Max(seen.Length, Index + 1)];
        seen.CopyTo(entries);
        entries[Index] = seq;
        return VectorClock.FromEntries(entries);
    }
}
