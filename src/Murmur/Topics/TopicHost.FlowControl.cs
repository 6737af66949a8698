namespace Murmur;

/// <summary>
/// Flow control (<see cref="MurmurNodeOptions.MaxLag"/>), in eventual topics: a slow local member holds back this
/// node's reads from the log and its local publishers. A member's lag counts the visible events of others it has not
/// been handed yet (its own do not make it slow); members that are themselves waiting to publish are not waited for,
/// so producers on one node never wait for each other in a circle. Strict topics are paced by their rounds instead.
/// </summary>
internal sealed partial class TopicHost
{
    // How often a waiter looks again without being woken: a member whose agent died never advances again.
    private static readonly TimeSpan RecheckEvery = TimeSpan.FromMilliseconds(100);
    private readonly List<TaskCompletionSource> _roomWaiters = [];
    private long _backpressureWaits;
    private long _maxLagSeen;

    /// <summary>True when this node bounds the lag of its members in this topic.</summary>
    internal bool IsFlowControlled => _node.Options.MaxLag is not null && Consistency == Consistency.Eventual;

    /// <summary>How often a reader or publisher of this node waited for a slow local member.</summary>
    public long BackpressureWaits => Interlocked.Read(ref _backpressureWaits);

    /// <summary>The largest lag of a live local member this node has seen (0 when <see cref="MurmurNodeOptions.MaxLag"/> is not set).</summary>
    public long MaxLagSeen => Interlocked.Read(ref _maxLagSeen);

    /// <summary>How far the slowest live local member (other than <paramref name="except"/>, and not itself waiting) trails the visible events of others.</summary>
    private long SlowestLagLocked(TopicMember? except)
    {
        var visible = (long)VisibleCountLocked;
        var lag = 0L;
        foreach (var member in _members)
        {
            if (!ReferenceEquals(member, except) && member.IsLive && !member.WaitingForRoom)
            {
                lag = Math.Max(lag, visible - member.DeliveredIndex - member.OwnPending);
            }
        }
        if (lag > _maxLagSeen)
        {
            Interlocked.Exchange(ref _maxLagSeen, lag);
        }
        return lag;
    }

    /// <summary>
    /// Waits while the slowest live local member (other than <paramref name="publisher"/>, which cannot catch up
    /// while it publishes) trails <see cref="MurmurNodeOptions.MaxLag"/> events or more.
    /// </summary>
    internal async ValueTask WaitForRoomAsync(TopicMember? publisher, CancellationToken cancellationToken)
    {
        if (!IsFlowControlled)
        {
            return;
        }
        var maxLag = _node.Options.MaxLag!.Value;
        publisher?.SetWaitingForRoom(true);
        try
        {
            await WaitLoopAsync(publisher, maxLag, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            publisher?.SetWaitingForRoom(false);
        }
    }

    private async ValueTask WaitLoopAsync(TopicMember? publisher, int maxLag, CancellationToken cancellationToken)
    {
        var counted = false;
        while (true)
        {
            TaskCompletionSource room;
            lock (_gate)
            {
                if (SlowestLagLocked(publisher) < maxLag)
                {
                    return;
                }
                room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _roomWaiters.Add(room);
                if (!counted)
                {
                    counted = true;
                    Interlocked.Increment(ref _backpressureWaits);
                    MurmurDiagnostics.Count(MurmurDiagnostics.Backpressure, Name);
                    CheckConditionsLocked();
                }
            }
            try
            {
                await room.Task.WaitAsync(RecheckEvery, _node.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Look again: the slow member's agent may have stopped for good.
            }
            finally
            {
                lock (_gate)
                {
                    _roomWaiters.Remove(room);
                }
            }
        }
    }

    /// <summary>Counts an own event of a local member as delivered but not yet handed to it (under <c>_gate</c>).</summary>
    private void CountOwnLocked(AgentEvent @event)
    {
        if (!IsFlowControlled)
        {
            return;
        }
        foreach (var member in _members)
        {
            if (string.Equals(member.Actor, @event.Actor, StringComparison.Ordinal))
            {
                member.AddOwnPending(1);
            }
        }
    }

    /// <summary>How many of <paramref name="actor"/>'s events are among the first <paramref name="count"/> visible ones.</summary>
    internal int CountOwn(string actor, long count)
    {
        lock (_gate)
        {
            var own = 0;
            for (var i = 0; i < count && i < _history.Count; i++)
            {
                if (string.Equals(_history[i].Actor, actor, StringComparison.Ordinal))
                {
                    own++;
                }
            }
            return own;
        }
    }

    /// <summary>A member took events: the readers and publishers waiting for room look again.</summary>
    internal void OnMemberAdvanced()
    {
        if (!IsFlowControlled)
        {
            return;
        }
        lock (_gate)
        {
            foreach (var room in _roomWaiters)
            {
                room.TrySetResult();
            }
        }
    }
}
