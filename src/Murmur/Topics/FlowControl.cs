using Murmur.Diagnostics;
using Murmur.Events;
using Murmur.Threading;

namespace Murmur.Topics;

/// <summary>
/// Flow control (<see cref="MurmurNodeOptions.MaxLag"/>), in eventual topics: a slow local member holds back this
/// node's reads from the log and its local publishers. A member's lag counts the visible events of others it has not
/// been handed yet (its own do not make it slow); members that are themselves waiting to publish are not waited for,
/// so producers on one node never wait for each other in a circle. Strict topics are paced by their rounds instead.
/// </summary>
internal sealed class FlowControl
{
    // How often a waiter looks again without being woken: a member whose agent died never advances again.
    private static readonly TimeSpan RecheckEvery = TimeSpan.FromMilliseconds(100);
    private readonly TopicHost _host;
    private readonly int _maxLag;
    private readonly Waiters _room;
    private long _waits;
    private long _maxLagSeen;

    public FlowControl(TopicHost host, int maxLag)
    {
        _host = host;
        _maxLag = maxLag;
        _room = new Waiters(host.Gate);
    }

    /// <summary>How often a reader or publisher of this node waited for a slow local member.</summary>
    public long Waits => Interlocked.Read(ref _waits);

    /// <summary>The largest lag of a live local member this node has seen.</summary>
    public long MaxLagSeen => Interlocked.Read(ref _maxLagSeen);

    /// <summary>How far the slowest live local member (other than <paramref name="except"/>, and not itself waiting) trails the visible events of others. Under the gate.</summary>
    private long SlowestLagLocked(TopicMember? except)
    {
        var visible = _host.VisibleCountLocked;
        var lag = 0L;
        foreach (var member in _host.MembersLocked)
        {
            var delivery = member.Delivery;
            if (!ReferenceEquals(member, except) && delivery.IsLive && !delivery.WaitingForRoom)
            {
                lag = Math.Max(lag, visible - delivery.DeliveredIndex - delivery.OwnPending);
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
    public async ValueTask WaitForRoomAsync(TopicMember? publisher, CancellationToken cancellationToken)
    {
        publisher?.Delivery.SetWaitingForRoom(true);
        try
        {
            var counted = false;
            while (true)
            {
                Task room;
                lock (_host.Gate)
                {
                    if (SlowestLagLocked(publisher) < _maxLag)
                    {
                        return;
                    }
                    room = _room.WaitAsync(() => SlowestLagLocked(publisher) < _maxLag, CancellationToken.None);
                    if (!counted)
                    {
                        counted = true;
                        Interlocked.Increment(ref _waits);
                        MurmurDiagnostics.Count(MurmurDiagnostics.Backpressure, _host.Name);
                        _host.SignalConditionsLocked();
                    }
                }
                try
                {
                    // Woken or not, look again under the gate: another waiter's recheck releases everyone.
                    await room.WaitAsync(RecheckEvery, _host.Node.TimeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // The slow member's agent may have stopped for good: drop this wait and look again.
                    lock (_host.Gate)
                    {
                        _room.ReleaseAll();
                    }
                }
            }
        }
        finally
        {
            publisher?.Delivery.SetWaitingForRoom(false);
        }
    }

    /// <summary>True when no live local member trails <see cref="MurmurNodeOptions.MaxLag"/> events or more.</summary>
    public bool HasRoom
    {
        get
        {
            lock (_host.Gate)
            {
                return SlowestLagLocked(null) < _maxLag;
            }
        }
    }

    /// <summary>A member took events: the readers and publishers waiting for room look again.</summary>
    public void OnMemberAdvanced()
    {
        lock (_host.Gate)
        {
            _room.Signal();
        }
    }

    /// <summary>Counts an own event of a local member as delivered but not yet handed to it. Under the gate.</summary>
    public void CountOwnLocked(AgentEvent @event)
    {
        foreach (var member in _host.MembersLocked)
        {
            if (string.Equals(member.Actor, @event.Actor, StringComparison.Ordinal))
            {
                member.Delivery.AddOwnPending(1);
            }
        }
    }
}
