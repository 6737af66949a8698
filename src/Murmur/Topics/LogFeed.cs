using System.Collections.Concurrent;
using Murmur.Logs;

namespace Murmur.Topics;

/// <summary>
/// How a node reads the log for all of its topics. When the log has a firehose (<see cref="ILogFirehose"/>), one
/// consumer serves every topic: the feed demultiplexes it, and a topic it starts to follow (or resumes after a pause)
/// first catches up with a bounded read of what the log already holds, buffering what the firehose brings meanwhile,
/// then goes live. Without a firehose, each topic is followed with its own <see cref="IEventLog.ReadAsync"/>.
/// </summary>
/// <remarks>
/// Each topic's records reach its <see cref="TopicReader"/> once each, in position order: under the subscription's
/// lock, and only when newer than the last one processed. Why nothing is missed in the hand-over: a topic is marked
/// as catching up before its bounded read asks for the topic's end, and the firehose was opened before that, so a
/// record is either at or before that end (the read gets it) or appended after the mark (the firehose brings it).
/// A slow local member (flow control) pauses only its own topic: the feed drops that topic's live records and, once
/// there is room, catches up again from where it stopped. When the firehose fails, the feed opens a new one and
/// every topic catches up again the same way.
/// </remarks>
internal sealed class LogFeed(MurmurNode node) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _opening = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private ILogFirehose? _firehose;
    private Task _dispatch = Task.CompletedTask;
    private int _mode; // 0 = not started, 1 = firehose, 2 = per topic

    /// <summary>True when the node follows its topics through one firehose (not one read per topic).</summary>
    public bool UsesFirehose => Volatile.Read(ref _mode) == 1;

    /// <summary>Starts delivering the topic's records from <paramref name="from"/> to <paramref name="reader"/>.</summary>
    /// <exception cref="EventLogException">The log's firehose could not be opened.</exception>
    public async Task FollowAsync(TopicReader reader, long from, CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        var subscription = new Subscription(reader, from, _stop.Token);
        if (!_subscriptions.TryAdd(reader.Topic, subscription))
        {
            throw new InvalidOperationException($"Topic '{reader.Topic}' is already followed by this node.");
        }
        if (UsesFirehose)
        {
            StartCatchUp(subscription);
        }
        else
        {
            _ = Task.Run(() => FollowAloneAsync(subscription), CancellationToken.None);
        }
    }

    /// <summary>Stops delivering the topic's records.</summary>
    public void Unfollow(TopicReader reader)
    {
        if (_subscriptions.TryRemove(reader.Topic, out var subscription))
        {
            subscription.Cancel();
        }
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _mode) != 0)
        {
            return;
        }
        await _opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_mode != 0)
            {
                return;
            }
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            _firehose = await node.Log.OpenFirehoseAsync(cancellationToken).ConfigureAwait(false);
            if (_firehose is null)
            {
                Volatile.Write(ref _mode, 2);
                return;
            }
            Volatile.Write(ref _mode, 1);
            _dispatch = Task.Run(DispatchAsync, CancellationToken.None);
        }
        finally
        {
            _opening.Release();
        }
    }

    /// <summary>Reads the firehose and hands each record to its topic; opens a new firehose when one fails.</summary>
    private async Task DispatchAsync()
    {
        var failures = 0;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await foreach (var item in _firehose!.ReadAsync(_stop.Token).ConfigureAwait(false))
                {
                    failures = 0;
                    if (_subscriptions.TryGetValue(item.Topic, out var subscription))
                    {
                        OnLive(subscription, item.Entry);
                    }
                }
                if (_stop.IsCancellationRequested)
                {
                    return;
                }
                throw new EventLogException("The log's firehose ended.");
            }
            catch (Exception ex) when (_stop.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                TopicLogMessages.FirehoseFailed(node.Logger, failures, ex);
                if (!await ReopenAsync(failures).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
    }

    /// <summary>Opens a new firehose, then has every topic catch up again from where it stopped.</summary>
    private async Task<bool> ReopenAsync(int failures)
    {
        try
        {
            await _firehose!.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EventLogException or ObjectDisposedException or OperationCanceledException)
        {
        }
        while (true)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 50 * failures)), _stop.Token).ConfigureAwait(false);
                _firehose = await node.Log.OpenFirehoseAsync(_stop.Token).ConfigureAwait(false)
                    ?? throw new InvalidOperationException("The log no longer offers a firehose.");
                break;
            }
            catch (Exception ex) when (_stop.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException)
            {
                return false;
            }
            catch (Exception ex) when (ex is EventLogException)
            {
                failures++;
                TopicLogMessages.FirehoseFailed(node.Logger, failures, ex);
            }
        }
        foreach (var subscription in _subscriptions.Values)
        {
            StartCatchUp(subscription);
        }
        return true;
    }

    /// <summary>A record from the firehose (on the dispatch task).</summary>
    private void OnLive(Subscription subscription, in LogEntry entry)
    {
        lock (subscription)
        {
            switch (subscription.State)
            {
                case FeedState.CatchingUp:
                    (subscription.Buffered ??= []).Add(entry);
                    return;
                case FeedState.Paused:
                    return; // read again by the catch-up that follows the pause
                default:
                    if (entry.Position < subscription.Next)
                    {
                        return;
                    }
                    if (!subscription.Reader.HasRoom)
                    {
                        // A slow local member: stop taking this topic's live records instead of holding up every topic.
                        subscription.State = FeedState.Paused;
                        _ = ResumeAfterRoomAsync(subscription, subscription.Generation);
                        return;
                    }
                    subscription.Process(entry);
                    return;
            }
        }
    }

    private async Task ResumeAfterRoomAsync(Subscription subscription, int generation)
    {
        try
        {
            await Task.Yield();
            await subscription.Reader.WaitForRoomAsync(subscription.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        lock (subscription)
        {
            if (subscription.Generation != generation || subscription.State != FeedState.Paused)
            {
                return; // a reopened firehose already started a catch-up
            }
        }
        StartCatchUp(subscription);
    }

    /// <summary>Marks the topic as catching up (from now on the firehose's records are buffered), then reads what the log holds.</summary>
    private void StartCatchUp(Subscription subscription)
    {
        int generation;
        lock (subscription)
        {
            generation = ++subscription.Generation;
            subscription.State = FeedState.CatchingUp;
            subscription.Buffered = null;
        }
        _ = Task.Run(() => CatchUpAsync(subscription, generation), CancellationToken.None);
    }

    private async Task CatchUpAsync(Subscription subscription, int generation)
    {
        var reader = subscription.Reader;
        var failures = 0;
        while (!subscription.Token.IsCancellationRequested)
        {
            try
            {
                long next;
                lock (subscription)
                {
                    next = subscription.Next;
                }
                await foreach (var entry in node.Log.ReadAsync(reader.Topic, next, follow: false, subscription.Token).ConfigureAwait(false))
                {
                    await reader.WaitForRoomAsync(subscription.Token).ConfigureAwait(false);
                    lock (subscription)
                    {
                        if (subscription.Generation != generation)
                        {
                            return;
                        }
                        if (entry.Position >= subscription.Next)
                        {
                            subscription.Process(entry);
                        }
                    }
                }
                lock (subscription)
                {
                    if (subscription.Generation != generation)
                    {
                        return;
                    }
                    if (subscription.Buffered is { } buffered)
                    {
                        foreach (var entry in buffered)
                        {
                            if (entry.Position >= subscription.Next)
                            {
                                subscription.Process(entry);
                            }
                        }
                    }
                    subscription.Buffered = null;
                    subscription.State = FeedState.Live;
                }
                return;
            }
            catch (Exception ex) when (subscription.Token.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                TopicLogMessages.ReadFailed(node.Logger, reader.Topic, subscription.Next, ex);
                if (!await BackOffAsync(failures, subscription.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
    }

    /// <summary>Without a firehose: the topic's own follow, from where it stopped after a failure.</summary>
    private async Task FollowAloneAsync(Subscription subscription)
    {
        var reader = subscription.Reader;
        var failures = 0;
        while (!subscription.Token.IsCancellationRequested)
        {
            try
            {
                await foreach (var entry in node.Log.ReadAsync(reader.Topic, subscription.Next, follow: true, subscription.Token).ConfigureAwait(false))
                {
                    await reader.WaitForRoomAsync(subscription.Token).ConfigureAwait(false);
                    lock (subscription)
                    {
                        if (entry.Position >= subscription.Next)
                        {
                            subscription.Process(entry);
                        }
                    }
                    failures = 0;
                }
            }
            catch (Exception ex) when (subscription.Token.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                TopicLogMessages.ReadFailed(node.Logger, reader.Topic, subscription.Next, ex);
                if (!await BackOffAsync(failures, subscription.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
    }

    private static async Task<bool> BackOffAsync(int failures, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 50 * failures)), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Stops every topic's reading and closes the firehose.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var subscription in _subscriptions.Values)
        {
            subscription.Cancel();
        }
        _subscriptions.Clear();
        try
        {
            await _dispatch.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
        }
        if (_firehose is { } firehose)
        {
            await firehose.DisposeAsync().ConfigureAwait(false);
        }
        _stop.Dispose();
    }

    private enum FeedState
    {
        CatchingUp,
        Live,
        Paused,
    }

    /// <summary>One followed topic: where it stands, guarded by its own lock (taken before the topic's gate).</summary>
    private sealed class Subscription(TopicReader reader, long from, CancellationToken stop)
    {
        private readonly CancellationTokenSource _cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);

        public TopicReader Reader { get; } = reader;

        public CancellationToken Token => _cancel.Token;

        /// <summary>The next position to process: everything before it was processed.</summary>
        public long Next { get; private set; } = from;

        public FeedState State { get; set; } = FeedState.CatchingUp;

        /// <summary>Firehose records that arrived while the topic caught up.</summary>
        public List<LogEntry>? Buffered { get; set; }

        /// <summary>Counts catch-ups; a catch-up whose generation is no longer current stops.</summary>
        public int Generation { get; set; }

        /// <summary>Processes a record newer than <see cref="Next"/>; under the subscription's lock.</summary>
        public void Process(in LogEntry entry)
        {
            Reader.Process(entry);
            Next = entry.Position + 1;
        }

        public void Cancel()
        {
            try
            {
                _cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}
