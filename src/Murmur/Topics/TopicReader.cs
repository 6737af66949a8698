using Murmur.Events;
using Murmur.Logs;
using Murmur.Threading;

namespace Murmur.Topics;

/// <summary>
/// Reads a topic's log for its node: screens each record (<see cref="EventScreen"/>), offers what passes to the topic,
/// refuses the rest as dead letters, and tracks how far it has read (waiters on a position).
/// </summary>
internal sealed class TopicReader
{
    private readonly TopicHost _host;
    private readonly EventScreen _screen;
    private readonly object _positionGate = new();
    private readonly Waiters _positionWaiters;
    private long _position;

    public TopicReader(TopicHost host)
    {
        _host = host;
        var node = host.Node;
        _screen = new EventScreen(host.Name, node.Options.EventLimits, node.Verifier);
        _positionWaiters = new Waiters(_positionGate);
    }

    /// <summary>The last log position read.</summary>
    public long Position => Interlocked.Read(ref _position);

    /// <summary>What every record of the topic goes through.</summary>
    public EventScreen Screen => _screen;

    /// <summary>The topic's name.</summary>
    public string Topic => _host.Name;

    /// <summary>Starts following the log from <paramref name="from"/> (through the node's <see cref="LogFeed"/>).</summary>
    public Task StartAsync(long from, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _position, from - 1);
        return _host.Node.Feed.FollowAsync(this, from, cancellationToken);
    }

    /// <summary>False while a slow local member holds the topic back (flow control): the reader should wait.</summary>
    public bool HasRoom => _host.HasRoomForReader;

    /// <summary>Waits until the reader may take the next record (see <see cref="FlowControl"/>).</summary>
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) => _host.WaitForRoomAsync(null, cancellationToken);

    /// <summary>Waits until the reader has read at least to <paramref name="position"/>.</summary>
    public Task WaitReadAsync(long position, CancellationToken cancellationToken)
    {
        lock (_positionGate)
        {
            return _positionWaiters.WaitAsync(() => Volatile.Read(ref _position) >= position, cancellationToken);
        }
    }

    /// <summary>Waits until the reader has read the log at least to its current end.</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        var end = await _host.Node.Log.GetEndPositionAsync(_host.Name, cancellationToken).ConfigureAwait(false);
        await WaitReadAsync(end, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Screens one record and offers it; then the read position moves past it.</summary>
    public void Process(in LogEntry entry)
    {
        if (_screen.Screen(entry, out var refusal) is { } @event)
        {
            _host.Admit(@event, entry.Position);
        }
        else
        {
            // The id the bytes carry; the transport's (e.g. from Nats-Msg-Id) only when the bytes name none.
            var eventId = AgentEventCodec.PeekEventId(entry.Data.Span) ?? (string.IsNullOrEmpty(entry.EventId) ? null : entry.EventId);
            _host.Refuse(entry.Position, eventId, refusal!, DeadLetterStore.ExcerptOf(entry.Data.Span));
        }
        lock (_positionGate)
        {
            Volatile.Write(ref _position, entry.Position);
            _positionWaiters.Signal();
        }
    }

    /// <summary>Stops reading; waits for a position fail with <see cref="TopicReleasedException"/> (nothing will be read any more).</summary>
    public void Stop()
    {
        _host.Node.Feed.Unfollow(this);
        lock (_positionGate)
        {
            _positionWaiters.FailAll(new TopicReleasedException(_host.Name));
        }
    }
}
