using System.Text.Json;

namespace Murmur;

/// <summary>Joining, publishing and appending.</summary>
internal sealed partial class TopicHost
{
    /// <summary>
    /// Makes <paramref name="id"/> a member: reads the log to its current end (so a restarted node knows who
    /// joined and how far each member got), and appends a <c>JOIN</c> only for a newcomer.
    /// </summary>
    internal async Task<TopicMember> JoinAsync(AgentId id, CancellationToken cancellationToken)
    {
        var actor = id.ToString();
        lock (_gate)
        {
            if (!_joining.Add(actor))
            {
                throw new InvalidOperationException($"'{actor}' is already joining or a member of topic '{Name}' on this node.");
            }
        }
        try
        {
            var end = await _node.Log.GetEndPositionAsync(Name, cancellationToken).ConfigureAwait(false);
            await WaitReadAsync(end, cancellationToken).ConfigureAwait(false);
            if (TryGetMembership(actor, out var index, out var seq))
            {
                return AddMember(id, index, seq);
            }
            var payload = JsonSerializer.SerializeToUtf8Bytes(new JoinPayload(_node.NodeId, Consistency == Consistency.Strict ? "strict" : "eventual", Options.MinMembers), JoinJson.Default.JoinPayload);
            var join = CreateEvent(actor, Actions.Join, payload, VectorClock.Empty, null);
            var position = await AppendWithRetriesAsync(Prepare(join).Record, cancellationToken).ConfigureAwait(false);
            await WaitReadAsync(position, cancellationToken).ConfigureAwait(false);
            if (!TryGetMembership(actor, out index, out seq))
            {
                throw new InvalidOperationException($"The JOIN of '{actor}' to topic '{Name}' was refused; see the node's dead letters.");
            }
            return AddMember(id, index, seq);
        }
        catch
        {
            lock (_gate)
            {
                _joining.Remove(actor);
            }
            throw;
        }
    }

    private bool TryGetMembership(string actor, out int index, out ulong seq)
    {
        lock (_gate)
        {
            index = _buffer.Roster.IndexOf(actor);
            seq = _lastOwnSeq.GetValueOrDefault(actor);
            return index >= 0;
        }
    }

    private TopicMember AddMember(AgentId id, int index, ulong seq)
    {
        var member = new TopicMember(this, id, index, seq);
        lock (_gate)
        {
            _members.Add(member);
        }
        return member;
    }

    internal void RemoveMember(TopicMember member)
    {
        lock (_gate)
        {
            _members.Remove(member);
            _joining.Remove(member.Actor);
        }
    }

    internal AgentEvent CreateEvent(string actor, string action, ReadOnlyMemory<byte> payload, VectorClock clock, IReadOnlyList<string>? dependsOn, ulong? round = null, string? eventId = null, string? traceParent = null)
        => new(eventId ?? _node.NewEventId(), actor, action, payload, clock)
        {
            Topic = Name,
            Timestamp = _node.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
            DependsOn = dependsOn ?? [],
            Round = round,
            TraceParent = traceParent,
        };

    /// <summary>Signs the event when the node signs (an immutable copy with <see cref="AgentEvent.Signature"/>), and encodes it.</summary>
    internal (AgentEvent Event, LogRecord Record) Prepare(AgentEvent @event)
    {
        var signed = _node.Signer is { } signer ? signer.Sign(@event) : @event;
        return (signed, new LogRecord(signed.EventId, AgentEventCodec.Encode(signed)));
    }

    /// <summary>Appends an event; in eventual topics local members get it at once, from memory, once the log acknowledged it.</summary>
    internal async Task AppendAsync(AgentEvent @event, LogRecord record, CancellationToken cancellationToken)
    {
        var position = await AppendWithRetriesAsync(record, cancellationToken).ConfigureAwait(false);
        if (Consistency == Consistency.Eventual)
        {
            // Local fast path: not waiting for the read-back. Only after the acknowledgement, so no local agent
            // ever acts on an event that other nodes might never see.
            Admit(@event, position);
        }
        _node.OnPublished(this, @event);
    }

    private async Task<long> AppendWithRetriesAsync(LogRecord record, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await _node.Log.AppendAsync(Name, record, cancellationToken).ConfigureAwait(false);
            }
            catch (EventLogException ex) when (attempt < _node.Options.AppendAttempts)
            {
                TopicLog.AppendRetry(_node.Logger, Name, record.EventId, attempt, ex);
                await Task.Delay(_node.Options.AppendRetryDelay * attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
