namespace Murmur.Causality;

// Waiters: senders blocked on another sender's entry, linked to it and released when it is delivered.
public sealed partial class CausalBuffer
{
    private void Link(int s, int blocker, ulong need, Held head)
    {
        // A sender can be queued and linked at once (a released stranger is delivered, queueing its sender, and
        // the next one is blocked). Its existing link is still right: that blocker has not delivered since, so
        // the head is still blocked by it. Linking twice would corrupt the lists.
        if (_blockedOn[s] >= 0)
        {
            return;
        }
        _blockedOn[s] = blocker;
        _need[s] = need;
        _head[s] = head;
        _resumeAt[s] = blocker;
        _nextWaiter[s] = _firstWaiter[blocker];
        _firstWaiter[blocker] = s;
    }

    private void ReleaseWaiters(int j)
    {
        // Wake only the waiters whose need on j is now met; the others stay linked, so a delivery costs a few
        // integer comparisons per waiter instead of a rescan of each waiter's clock.
        var w = _firstWaiter[j];
        _firstWaiter[j] = -1;
        var delivered = _delivered[j];
        while (w >= 0)
        {
            var next = _nextWaiter[w];
            if (_need[w] <= delivered)
            {
                _blockedOn[w] = -1;
                _nextWaiter[w] = -1;
                Enqueue(w);
            }
            else
            {
                _nextWaiter[w] = _firstWaiter[j];
                _firstWaiter[j] = w;
            }
            w = next;
        }
    }

    private void Enqueue(int s)
    {
        if (!_queued[s] && (_head[s].Event is not null || _pending[s] is { Count: > 0 }))
        {
            _queued[s] = true;
            _work[_workCount++] = s;
        }
    }
}
