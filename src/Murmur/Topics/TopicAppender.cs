using Murmur.Causality;
using Murmur.Events;
using Murmur.Logs;

namespace Murmur.Topics;

/// <summary>
/// Appends a topic's events to the log for the node: stamps the envelope fields the node owns (id, topic, time),
/// signs when the node signs, retries transport failures with the same event id, and — in eventual topics — hands
/// an acknowledged event to local members at once (the local fast path).
/// </summary>
internal sealed class TopicAppender(TopicHost host)
{
    private MurmurNode Node => host.Node;

    /// <summary>A new event of this topic.</summary>
    public AgentEvent Create(string actor, string action, ReadOnlyMemory<byte> payload, VectorClock clock, IReadOnlyList<string>? dependsOn, int? round = null, string? eventId = null, string? traceParent = null, ulong? epoch = null)
        => new(eventId ?? Node.NewEventId(), actor, action, payload, clock)
        {
            Topic = host.Name,
            Timestamp = Node.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
            DependsOn = dependsOn ?? [],
            Round = round,
            TraceParent = traceParent,
            Epoch = epoch is > 1 ? epoch : null,
        };

    /// <summary>Signs the event when the node signs (an immutable copy with <see cref="AgentEvent.Signature"/>), and encodes it.</summary>
    public (AgentEvent Event, LogRecord Record) Prepare(AgentEvent @event)
    {
        var signed = Node.Signer is { } signer ? signer.Sign(@event) : @event;
        return (signed, new LogRecord(signed.EventId, AgentEventCodec.Encode(signed)));
    }

    /// <summary>Appends an event; in eventual topics local members get it at once, from memory, once the log acknowledged it.</summary>
    public async Task AppendAsync(AgentEvent @event, LogRecord record, CancellationToken cancellationToken)
    {
        var position = await AppendWithRetriesAsync(record, cancellationToken).ConfigureAwait(false);
        if (host.Consistency == Consistency.Eventual)
        {
            // Local fast path: not waiting for the read-back. Only after the acknowledgement, so no local agent
            // ever acts on an event that other nodes might never see.
            host.Admit(@event, position);
        }
        Node.OnPublished(host, @event);
    }

    /// <summary>Appends a record, trying again (same event id) after transport failures; returns its position.</summary>
    public async Task<long> AppendWithRetriesAsync(LogRecord record, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await Node.Log.AppendAsync(host.Name, record, cancellationToken).ConfigureAwait(false);
            }
            catch (EventLogException ex) when (attempt < Node.Options.AppendAttempts)
            {
                TopicLogMessages.AppendRetry(Node.Logger, host.Name, record.EventId, attempt, ex);
                await Task.Delay(Node.Options.AppendRetryDelay * attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
