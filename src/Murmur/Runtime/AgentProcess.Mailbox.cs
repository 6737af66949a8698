using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Murmur.Agents;

namespace Murmur.Runtime;

/// <summary>The mailbox: a pooled ring of user envelopes and an intrusive list of system messages.</summary>
internal sealed partial class AgentProcess : IThreadPoolWorkItem
{
    private const int InitialRing = 16;

    /// <summary>How many user messages a turn takes out of the mailbox under one lock acquisition.</summary>
    private const int BatchSize = 32;

    /// <summary>The largest ring a worker thread keeps as its spare (4 KiB of slots).</summary>
    private const int MaxSpareRing = 256;

    private Envelope[]? _ring;        // rented while the mailbox holds messages; guarded by the mailbox lock
    private int _head;                // guarded by the mailbox lock
    private int _count;               // guarded by the mailbox lock
    private SystemMessage? _sysHead;  // guarded by the mailbox lock
    private SystemMessage? _sysTail;  // guarded by the mailbox lock
    private bool _scheduled;          // a turn is queued or running; guarded by the mailbox lock
    private byte _mailboxLock;        // 1 while held (EnterMailbox/ExitMailbox); a byte, to fit beside the bools

    /// <summary>
    /// Takes the mailbox lock: a test-and-set spin lock on <see cref="_mailboxLock"/>. Every critical section
    /// it guards is a few field and array stores with no call out of the runtime (no handler, no logging), so
    /// an uncontended acquisition is one interlocked exchange and a release is one store, where a monitor on
    /// <c>this</c> also looks up the current thread. Not reentrant: no guarded section takes it again.
    /// </summary>
    /// <remarks>
    /// Memory ordering: the <see cref="Interlocked.CompareExchange(ref byte, byte, byte)"/> that acquires is a
    /// full fence, so no read of guarded fields moves before it; <see cref="ExitMailbox"/>'s
    /// <see cref="Volatile.Write(ref byte, byte)"/> is a release, so every guarded write is visible before the
    /// lock reads as free. Together they order critical sections as a monitor would.
    /// </remarks>
    private void EnterMailbox()
    {
        if (Interlocked.CompareExchange(ref _mailboxLock, (byte)1, (byte)0) != 0)
        {
            EnterMailboxContended();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EnterMailboxContended()
    {
        // SpinWait yields the processor (and from time to time sleeps) as it goes on, so a holder that was
        // preempted on a busy machine gets to run and release instead of being spun against for a time slice.
        var spinner = default(SpinWait);
        do
        {
            spinner.SpinOnce();
        }
        while (Volatile.Read(ref _mailboxLock) != 0 || Interlocked.CompareExchange(ref _mailboxLock, (byte)1, (byte)0) != 0);
    }

    private void ExitMailbox()
    {
        Debug.Assert(_mailboxLock == 1, "released by its holder only");
        Volatile.Write(ref _mailboxLock, (byte)0);
    }

    private enum PostResult
    {
        Enqueued,
        Dead,
        Dropped,
        Full,
    }

    internal int MailboxCount
    {
        get
        {
            EnterMailbox();
            try
            {
                return _count;
            }
            finally
            {
                ExitMailbox();
            }
        }
    }

    /// <summary>True while the mailbox holds a rented ring (tests check that idle agents hold none).</summary>
    internal bool HasMailboxStorage
    {
        get
        {
            EnterMailbox();
            try
            {
                return _ring is not null;
            }
            finally
            {
                ExitMailbox();
            }
        }
    }

    /// <inheritdoc/>
    internal override bool Post(object message, AgentRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (TryEnqueue(message, sender))
        {
            case PostResult.Enqueued:
                return true;
            case PostResult.Full:
                throw new MailboxFullException(_id, _options.Mailbox.Capacity, _options.Mailbox.FullMode);
            case PostResult.Dead:
                _runtime.DeadLetter(_id, message, "the agent has terminated");
                return false;
            default:
                return false;
        }
    }

    /// <inheritdoc/>
    public override ValueTask SendAsync(object message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var result = TryEnqueue(message, null);
        if (result == PostResult.Full && _options.Mailbox.FullMode == MailboxFullMode.Wait)
        {
            return SendWhenSpaceAsync(message, cancellationToken);
        }
        if (result == PostResult.Full)
        {
            throw new MailboxFullException(_id, _options.Mailbox.Capacity, _options.Mailbox.FullMode);
        }
        if (result == PostResult.Dead)
        {
            _runtime.DeadLetter(_id, message, "the agent has terminated");
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Waits in line: the consumer moves the first waiter's message into the mailbox when it frees a slot,
    /// so waiting senders keep their arrival order and a newcomer cannot overtake them.
    /// </summary>
    private async ValueTask SendWhenSpaceAsync(object message, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var result = TryEnqueue(message, null, done);
        if (result == PostResult.Dead)
        {
            _runtime.DeadLetter(_id, message, "the agent has terminated");
            return;
        }
        if (result == PostResult.Enqueued)
        {
            return;
        }
        try
        {
            await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            if (WithdrawWaiter(done))
            {
                throw; // withdrawn before a slot was handed to it: the message was not sent
            }
            // A slot was handed to it as the wait was cancelled: the message is in the mailbox, so the send succeeded.
        }
    }

    private bool WithdrawWaiter(TaskCompletionSource done)
    {
        EnterMailbox();
        try
        {
            if (_extras?.SpaceWaiters is not { Count: > 0 } waiters)
            {
                return false;
            }
            var kept = new Queue<(Envelope Envelope, TaskCompletionSource Done)>(waiters.Where(w => w.Done != done));
            var withdrawn = kept.Count != waiters.Count;
            _extras.SpaceWaiters = kept;
            return withdrawn;
        }
        finally
        {
            ExitMailbox();
        }
    }

    private PostResult TryEnqueue(object message, AgentRef? sender, TaskCompletionSource? waiter = null)
    {
        bool schedule;
        var dropped = false; // counted (and logged) after the lock is released
        EnterMailbox();
        try
        {
            if (_status == (int)ProcessStatus.Terminated)
            {
                return PostResult.Dead;
            }
            var mailbox = _options.Mailbox;
            if (mailbox.IsBounded && (_count >= mailbox.Capacity || _extras?.SpaceWaiters is { Count: > 0 }))
            {
                switch (mailbox.FullMode)
                {
                    case MailboxFullMode.DropNewest:
                        dropped = true;
                        return PostResult.Dropped;
                    case MailboxFullMode.DropOldest:
                        DequeueRing();
                        dropped = true;
                        break;
                    case MailboxFullMode.Wait when waiter is not null:
                        (Extras.SpaceWaiters ??= new()).Enqueue((new Envelope(message, sender), waiter));
                        return PostResult.Full;
                    default:
                        return PostResult.Full;
                }
            }
            EnqueueRing(new Envelope(message, sender));
            schedule = !_scheduled && _status == (int)ProcessStatus.Running;
            if (schedule)
            {
                _scheduled = true;
            }
        }
        finally
        {
            ExitMailbox();
            if (dropped)
            {
                _runtime.CountDropped(_id, _options.Mailbox);
            }
        }
        if (schedule)
        {
            // From inside a turn the receiver's turn goes to this worker's local queue (see InTurn).
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: InTurn);
        }
        return PostResult.Enqueued;
    }

    /// <inheritdoc/>
    internal override bool PostWork(AgentWork work)
    {
        PostSystem(work);
        return Volatile.Read(ref _status) != (int)ProcessStatus.Terminated;
    }

    /// <summary>Queues a system message; on a terminated process it is answered at once instead.</summary>
    internal void PostSystem(SystemMessage message)
    {
        bool schedule = false, rejected = false;
        EnterMailbox();
        try
        {
            if (_status == (int)ProcessStatus.Terminated)
            {
                rejected = true;
            }
            else
            {
                if (_sysTail is null)
                {
                    _sysHead = message;
                }
                else
                {
                    _sysTail.Next = message;
                }
                _sysTail = message;
                schedule = !_scheduled;
                _scheduled = true;
            }
        }
        finally
        {
            ExitMailbox();
        }
        if (rejected)
        {
            AnswerAfterTermination(message);
        }
        else if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    private SystemMessage? DequeueSystem()
    {
        if (Volatile.Read(ref _sysHead) is null)
        {
            return null;
        }
        EnterMailbox();
        try
        {
            var head = _sysHead;
            if (head is not null)
            {
                _sysHead = head.Next;
                if (_sysHead is null)
                {
                    _sysTail = null;
                }
                head.Next = null;
            }
            return head;
        }
        finally
        {
            ExitMailbox();
        }
    }

    private bool TryDequeueUser(out Envelope envelope)
    {
        if (_extras?.Priority is { Count: > 0 } priority)
        {
            envelope = priority.Dequeue();
            return true;
        }
        TaskCompletionSource? waiter = null;
        EnterMailbox();
        try
        {
            if (_count == 0)
            {
                envelope = default;
                return false;
            }
            envelope = DequeueRing();
            if (_extras?.SpaceWaiters is { Count: > 0 } waiters)
            {
                // Hand the freed slot to the first waiting sender.
                var (waiting, done) = waiters.Dequeue();
                EnqueueRing(waiting);
                waiter = done;
            }
        }
        finally
        {
            ExitMailbox();
        }
        waiter?.TrySetResult();
        return true;
    }

    /// <summary>
    /// Takes up to <see cref="BatchSize"/> (and at most <paramref name="budget"/>) user messages for this turn
    /// under one lock acquisition. Returns 0 with <paramref name="ended"/> set when the mailbox is empty and no
    /// system message waits: the turn is then over (unscheduled, ring returned) — decided under the same lock
    /// as the emptiness, so a concurrent post either lands before it (and is taken) or sees the process
    /// unscheduled (and schedules a new turn). Returns 0 without <paramref name="ended"/> when a system message
    /// must run first or the process is not running. Own turn only.
    /// </summary>
    private int TakeBatch(Envelope[] batch, int budget, out bool ended)
    {
        ended = false;
        if (_extras?.Priority is { Count: > 0 } priority)
        {
            batch[0] = priority.Dequeue(); // Down/Exit messages, queued by this turn's system handlers
            return 1;
        }
        if (_extras is { Work.Count: > 0 } extras && (!extras.UserIsDue || Volatile.Read(ref _count) == 0))
        {
            // Work and user messages take turns (see AgentWork): one work item, then a batch of user messages.
            extras.UserIsDue = true;
            batch[0] = new Envelope(extras.Work.Dequeue(), null);
            return 1;
        }
        var taken = TakeUserBatch(batch, budget, out ended);
        if (taken > 0 && _extras is { } after)
        {
            after.UserIsDue = false;
        }
        return taken;
    }

    private int TakeUserBatch(Envelope[] batch, int budget, out bool ended)
    {
        ended = false;
        if (_options.Mailbox.IsBounded)
        {
            // A bounded mailbox counts only what is in the ring, so a turn takes one message at a time: taking
            // more would free slots for senders while the messages are still unhandled (the capacity would no
            // longer be exact), and a freed slot goes to the first waiting sender (TryDequeueUser).
            if (TryDequeueUser(out batch[0]))
            {
                return 1;
            }
        }
        EnterMailbox();
        try
        {
            if (_count > 0 && !_options.Mailbox.IsBounded)
            {
                var take = Math.Min(Math.Min(_count, budget), BatchSize);
                var ring = _ring!;
                var head = _head;
                for (var i = 0; i < take; i++)
                {
                    batch[i] = ring[head];
                    ring[head] = default; // no stale references in a pooled array
                    head = head + 1 == ring.Length ? 0 : head + 1;
                }
                _head = head;
                _count -= take;
                return take;
            }
            if (_sysHead is not null || _status != (int)ProcessStatus.Running || _count > 0 || _extras?.Work is { Count: > 0 })
            {
                return 0; // the caller re-checks system messages and status (or takes the bounded message or the work)
            }
            Debug.Assert(_scheduled, "only the scheduled turn takes messages");
            _scheduled = false;
            ReturnRingIfEmpty();
            ended = true;
            return 0;
        }
        finally
        {
            ExitMailbox();
        }
    }

    /// <summary>
    /// Puts taken but unhandled envelopes [<paramref name="from"/>, <paramref name="to"/>) back at the front of
    /// the mailbox in their order, so that they are next again. On a process terminated meanwhile (killed from
    /// outside while its handler ran) they become dead letters, as the ring's content did. Own turn only.
    /// </summary>
    private void PutBack(Envelope[] batch, int from, int to)
    {
        Debug.Assert(from < to && to <= BatchSize, "put back a non-empty part of the batch");
        Debug.Assert(!_options.Mailbox.IsBounded || to - from <= 1, "a bounded mailbox never has more than one message out");
        var dead = false;
        EnterMailbox();
        try
        {
            if (_status == (int)ProcessStatus.Terminated)
            {
                dead = true;
            }
            else
            {
                for (var i = to - 1; i >= from; i--)
                {
                    PushFrontRing(batch[i]);
                }
            }
        }
        finally
        {
            ExitMailbox();
        }
        for (var i = from; i < to; i++)
        {
            if (dead)
            {
                _runtime.DeadLetter(_id, batch[i].Message, "the agent stopped before handling it");
            }
            batch[i] = default;
        }
    }

    private void PushFrontRing(in Envelope envelope)
    {
        var ring = _ring;
        if (ring is null)
        {
            ring = _ring = RentRing();
            _head = 0;
        }
        else if (_count == ring.Length)
        {
            ring = GrowRing(ring);
        }
        _head = _head == 0 ? ring.Length - 1 : _head - 1;
        ring[_head] = envelope;
        _count++;
    }

    private void EnqueueRing(in Envelope envelope)
    {
        var ring = _ring;
        if (ring is null)
        {
            ring = _ring = RentRing();
            _head = 0;
        }
        else if (_count == ring.Length)
        {
            ring = GrowRing(ring);
        }
        var index = _head + _count;
        if (index >= ring.Length)
        {
            index -= ring.Length;
        }
        ring[index] = envelope;
        _count++;
    }

    private Envelope DequeueRing()
    {
        var ring = _ring!;
        var envelope = ring[_head];
        ring[_head] = default; // no stale references in a pooled array
        _head = _head + 1 == ring.Length ? 0 : _head + 1;
        _count--;
        return envelope;
    }

    /// <summary>
    /// A ring for a mailbox that has none: this worker thread's spare (the largest ring, up to
    /// <see cref="MaxSpareRing"/> slots, that an emptied mailbox gave back on this thread), else one from the shared pool. The spare belongs to the thread, not to an agent,
    /// so idle agents still hold no storage; it saves the pool's rent/return on each turn of a busy agent.
    /// </summary>
    private static Envelope[] RentRing()
    {
        if (_turnThread is { SpareRing: { } spare } thread)
        {
            thread.SpareRing = null;
            return spare;
        }
        return ArrayPool<Envelope>.Shared.Rent(InitialRing);
    }

    private Envelope[] GrowRing(Envelope[] ring)
    {
        var grown = ArrayPool<Envelope>.Shared.Rent(ring.Length * 2);
        for (var i = 0; i < _count; i++)
        {
            var index = _head + i;
            grown[i] = ring[index >= ring.Length ? index - ring.Length : index];
        }
        Array.Clear(ring);
        ArrayPool<Envelope>.Shared.Return(ring);
        _head = 0;
        _ring = grown;
        return grown;
    }

    /// <summary>Takes every queued user message out (at termination). Caller holds the lock.</summary>
    private List<Envelope>? TakeAllUser()
    {
        if (_count == 0)
        {
            ReturnRingIfEmpty();
            return null;
        }
        var all = new List<Envelope>(_count);
        while (_count > 0)
        {
            all.Add(DequeueRing());
        }
        ReturnRingIfEmpty();
        return all;
    }

    /// <summary>An empty mailbox holds no storage. Caller holds the lock.</summary>
    private void ReturnRingIfEmpty()
    {
        if (_count == 0 && _ring is { } ring)
        {
            _ring = null;
            _head = 0;
            // Every slot outside [_head, _head + _count) is cleared as it is consumed, so an empty ring holds
            // no references and can be handed on as it is.
            Debug.Assert(Array.TrueForAll(ring, e => e.Message is null), "an empty ring holds no stale references");
            // A busy agent empties and refills its mailbox on every turn: keep the larger of this ring and the
            // thread's spare (up to MaxSpareRing), so the next mailbox filled on this thread neither rents nor grows.
            if (ring.Length <= MaxSpareRing && _turnThread is { } thread && (thread.SpareRing?.Length ?? 0) < ring.Length)
            {
                (ring, thread.SpareRing) = (thread.SpareRing, ring);
            }
            if (ring is not null)
            {
                ArrayPool<Envelope>.Shared.Return(ring);
            }
        }
    }
}
