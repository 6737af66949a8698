using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Murmur.Logs;

/// <summary>
/// The embedded log: every topic is an in-process list, so a whole mesh runs in one process.
/// Positions are contiguous from 1. Durable only as long as the process lives.
/// </summary>
/// <remarks>Thread-safe; appends to one topic are serialized by a per-topic lock, reads take no lock on the hot path.</remarks>
public sealed class InMemoryEventLog : IEventLog
{
    private readonly ConcurrentDictionary<string, TopicLog> _topics = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposed = new();
    private readonly object _tapsGate = new();
    private Channel<TopicEntry>[] _taps = [];

    /// <summary>Creates an empty log.</summary>
    /// <param name="maxRecordBytes">The largest record accepted; defaults to 1 MiB.</param>
    public InMemoryEventLog(int maxRecordBytes = LogGuard.DefaultMaxRecordBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecordBytes, 1);
        MaxRecordBytes = maxRecordBytes;
    }

    /// <inheritdoc/>
    public string Name => "memory";

    /// <inheritdoc/>
    public int MaxRecordBytes { get; }

    private readonly Fleet.InMemoryMembershipStore _membership = new();

    /// <summary>The membership store every node of this log shares (one announcement kept per node).</summary>
    public ValueTask<Fleet.IMembershipStore?> OpenMembershipStoreAsync(CancellationToken cancellationToken = default)
        => ValueTask.FromResult<Fleet.IMembershipStore?>(new SharedStore(_membership));

    /// <summary>A node's handle on the shared store: disposing it leaves the store to the others.</summary>
    private sealed class SharedStore(Fleet.IMembershipStore inner) : Fleet.IMembershipStore
    {
        public ValueTask PublishAsync(string node, ReadOnlyMemory<byte> announcement, CancellationToken cancellationToken = default) => inner.PublishAsync(node, announcement, cancellationToken);

        public ValueTask RemoveAsync(string node, CancellationToken cancellationToken = default) => inner.RemoveAsync(node, cancellationToken);

        public ValueTask<IReadOnlyList<Fleet.MembershipRecord>> ReadAllAsync(CancellationToken cancellationToken = default) => inner.ReadAllAsync(cancellationToken);

        public IAsyncEnumerable<Fleet.MembershipRecord> WatchAsync(CancellationToken cancellationToken = default) => inner.WatchAsync(cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>The names of the topics that hold at least one record.</summary>
    public IReadOnlyCollection<string> Topics => [.. _topics.Keys];

    /// <inheritdoc/>
    public ValueTask<long> AppendAsync(string topic, LogRecord record, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        LogGuard.CheckAppend(topic, record, MaxRecordBytes);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(GetTopic(topic).Append(record));
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<long>> AppendBatchAsync(string topic, IReadOnlyList<LogRecord> records, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        LogGuard.CheckBatch(topic, records, MaxRecordBytes);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(GetTopic(topic).AppendBatch(records));
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<LogEntry> ReadAsync(string topic, long fromPosition = 1, bool follow = false,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        LogGuard.CheckRead(topic, fromPosition);
        var log = GetTopic(topic);
        var next = fromPosition;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (entries, changed) = log.Snapshot(next);
            foreach (var entry in entries)
            {
                yield return entry;
                next = entry.Position + 1;
            }
            if (entries.Count > 0)
            {
                continue;
            }
            if (!follow)
            {
                yield break;
            }
            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
            try
            {
                await changed.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ObjectDisposedException(nameof(InMemoryEventLog), "The log was disposed while a reader followed it.");
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask<long> GetEndPositionAsync(string topic, CancellationToken cancellationToken = default)
    {
        TopicName.Validate(topic);
        return ValueTask.FromResult(_topics.TryGetValue(topic, out var log) ? log.End : 0L);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _disposed.Cancel();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteTopicAsync(string topic, CancellationToken cancellationToken = default)
    {
        TopicName.Validate(topic);
        _topics.TryRemove(topic, out _);
        return ValueTask.FromResult(true);
    }

    /// <inheritdoc/>
    /// <remarks>Each append is written to every open firehose under its topic's lock, so a topic's records arrive in order.</remarks>
    public ValueTask<ILogFirehose?> OpenFirehoseAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var channel = Channel.CreateUnbounded<TopicEntry>(new UnboundedChannelOptions { SingleReader = true });
        lock (_tapsGate)
        {
            Volatile.Write(ref _taps, [.. _taps, channel]);
        }
        return ValueTask.FromResult<ILogFirehose?>(new Firehose(this, channel));
    }

    private void CloseTap(Channel<TopicEntry> channel)
    {
        lock (_tapsGate)
        {
            Volatile.Write(ref _taps, [.. _taps.Where(c => c != channel)]);
        }
        channel.Writer.TryComplete();
    }

    private TopicLog GetTopic(string topic) => _topics.GetOrAdd(topic, static (name, log) => new TopicLog(name, log), this);

    private sealed class Firehose(InMemoryEventLog log, Channel<TopicEntry> channel) : ILogFirehose
    {
        public async IAsyncEnumerable<TopicEntry> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, log._disposed.Token);
            while (true)
            {
                bool more;
                try
                {
                    more = await channel.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new ObjectDisposedException(nameof(InMemoryEventLog), "The log was disposed while a firehose was read.");
                }
                if (!more)
                {
                    yield break;
                }
                while (channel.Reader.TryRead(out var entry))
                {
                    yield return entry;
                }
            }
        }

        public ValueTask DisposeAsync()
        {
            log.CloseTap(channel);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class TopicLog(string name, InMemoryEventLog log)
    {
        private const int MaxSnapshot = 1024;
        private readonly List<LogEntry> _entries = [];
        private readonly Dictionary<string, long> _ids = new(StringComparer.Ordinal);
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long End
        {
            get
            {
                lock (_entries)
                {
                    return _entries.Count;
                }
            }
        }

        public long Append(in LogRecord record)
        {
            TaskCompletionSource changed;
            long position;
            lock (_entries)
            {
                if (_ids.TryGetValue(record.EventId, out var existing))
                {
                    return existing;
                }
                position = AddLocked(record);
                changed = SwapLocked();
            }
            changed.TrySetResult();
            return position;
        }

        public IReadOnlyList<long> AppendBatch(IReadOnlyList<LogRecord> records)
        {
            var positions = new long[records.Count];
            TaskCompletionSource changed;
            lock (_entries)
            {
                for (var i = 0; i < records.Count; i++)
                {
                    positions[i] = _ids.TryGetValue(records[i].EventId, out var existing) ? existing : AddLocked(records[i]);
                }
                changed = SwapLocked();
            }
            changed.TrySetResult();
            return positions;
        }

        /// <summary>Entries from <paramref name="from"/> (at most a page), and the signal of the next append.</summary>
        public (List<LogEntry> Entries, Task Changed) Snapshot(long from)
        {
            lock (_entries)
            {
                var start = (int)Math.Min(from - 1, _entries.Count);
                var count = Math.Min(_entries.Count - start, MaxSnapshot);
                return (_entries.GetRange(start, count), _changed.Task);
            }
        }

        private long AddLocked(in LogRecord record)
        {
            // Copy: the caller may reuse its buffer, and a log must hold what was appended.
            var position = _entries.Count + 1L;
            var entry = new LogEntry(position, record.EventId, record.Data.ToArray());
            _entries.Add(entry);
            _ids[record.EventId] = position;
            foreach (var tap in Volatile.Read(ref log._taps))
            {
                tap.Writer.TryWrite(new TopicEntry(name, entry));
            }
            return position;
        }

        private TaskCompletionSource SwapLocked()
        {
            var changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return changed;
        }
    }
}
