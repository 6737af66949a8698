using System.Runtime.CompilerServices;
using Murmur.Logs;

namespace Murmur.Tests.Reliability;

/// <summary>How often <see cref="ChaosEventLog"/> injects each fault (probabilities per call).</summary>
public sealed record ChaosOptions
{
    public double FailBeforeStore { get; init; } = 0.1;

    public double FailAfterStore { get; init; } = 0.1;

    public double DuplicateAppend { get; init; } = 0.1;

    public double Redeliver { get; init; } = 0.05;

    public double Yield { get; init; } = 0.2;

    /// <summary>An event id fails at most this many appends, so a caller that tries more often always heals.</summary>
    public int MaxFailuresPerEvent { get; init; } = 2;
}

/// <summary>
/// An <see cref="IEventLog"/> over an <see cref="InMemoryEventLog"/> that injects faults: an append may fail before
/// storing, store and then fail (the caller retries with the same event id), or be stored twice (a second record
/// with the same bytes); a read may re-deliver an earlier entry or yield. Every decision is a pure function of the
/// seed and what it is about (event id and attempt; topic, reader number and position), not of thread timing,
/// so a seed replays the same fault plan.
/// </summary>
/// <remarks>Positions stay non-decreasing for readers: a re-delivered entry carries the position of the last entry the reader got.</remarks>
public sealed class ChaosEventLog : DelegatingEventLog
{
    private readonly int _seed;
    private readonly InMemoryEventLog _inner;
    private readonly ChaosOptions _options;
    private readonly Dictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _acknowledged = new(StringComparer.Ordinal);
    private readonly List<(int Count, TaskCompletionSource Done)> _ackWaiters = [];
    private int _readers;
    private long _failedBefore, _failedAfter, _duplicated, _redelivered, _yields;

    public ChaosEventLog(int seed, ChaosOptions? options = null)
        : this(new InMemoryEventLog(), seed, options)
    {
    }

    private ChaosEventLog(InMemoryEventLog inner, int seed, ChaosOptions? options)
        : base(inner)
    {
        _inner = inner;
        _seed = seed;
        _options = options ?? new ChaosOptions();
    }

    public int Seed => _seed;

    public override string Name => "chaos";

    public InMemoryEventLog Inner => _inner;

    public long FailedBefore => Interlocked.Read(ref _failedBefore);

    public long FailedAfter => Interlocked.Read(ref _failedAfter);

    public long DuplicatedAppends => Interlocked.Read(ref _duplicated);

    public long Redelivered => Interlocked.Read(ref _redelivered);

    public long Yields => Interlocked.Read(ref _yields);

    public long FaultsInjected => FailedBefore + FailedAfter + DuplicatedAppends + Redelivered;

    /// <summary>The event ids whose append was acknowledged (returned a position).</summary>
    public IReadOnlyCollection<string> Acknowledged
    {
        get
        {
            lock (_acknowledged)
            {
                return [.. _acknowledged];
            }
        }
    }

    public override async ValueTask<long> AppendAsync(string topic, LogRecord record, CancellationToken cancellationToken = default)
    {
        int attempt;
        lock (_attempts)
        {
            attempt = _attempts[record.EventId] = _attempts.GetValueOrDefault(record.EventId) + 1;
        }
        var roll = Roll("append", record.EventId, attempt);
        if (attempt <= _options.MaxFailuresPerEvent)
        {
            if (roll < _options.FailBeforeStore)
            {
                Interlocked.Increment(ref _failedBefore);
                throw new EventLogException($"chaos seed {_seed}: append of {record.EventId} (attempt {attempt}) failed before storing");
            }
            if (roll < _options.FailBeforeStore + _options.FailAfterStore)
            {
                await _inner.AppendAsync(topic, record, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _failedAfter);
                throw new EventLogException($"chaos seed {_seed}: append of {record.EventId} (attempt {attempt}) stored, then failed");
            }
        }
        var position = await _inner.AppendAsync(topic, record, cancellationToken).ConfigureAwait(false);
        if (Roll("duplicate", record.EventId, attempt) < _options.DuplicateAppend)
        {
            // A transport that lost its de-duplication state: the same bytes land in the log a second time.
            await _inner.AppendAsync(topic, new LogRecord($"{record.EventId}~dup{attempt}", record.Data), cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _duplicated);
        }
        Acknowledge([record]);
        return position;
    }

    public override async ValueTask<IReadOnlyList<long>> AppendBatchAsync(string topic, IReadOnlyList<LogRecord> records, CancellationToken cancellationToken = default)
    {
        var positions = await _inner.AppendBatchAsync(topic, records, cancellationToken).ConfigureAwait(false);
        Acknowledge(records);
        return positions;
    }

    public override async IAsyncEnumerable<LogEntry> ReadAsync(string topic, long fromPosition = 1, bool follow = false,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reader = Interlocked.Increment(ref _readers);
        var recent = new List<LogEntry>();
        await foreach (var entry in _inner.ReadAsync(topic, fromPosition, follow, cancellationToken).ConfigureAwait(false))
        {
            var roll = Roll(topic, reader.ToString(System.Globalization.CultureInfo.InvariantCulture), entry.Position);
            if (roll < _options.Yield)
            {
                Interlocked.Increment(ref _yields);
                await Task.Yield();
            }
            yield return entry;
            recent.Add(entry);
            if (recent.Count > 16)
            {
                recent.RemoveAt(0);
            }
            if (Roll("redeliver", topic, entry.Position * 131 + reader) < _options.Redeliver)
            {
                var earlier = recent[(int)(Roll("which", topic, entry.Position) * recent.Count)];
                Interlocked.Increment(ref _redelivered);
                yield return earlier with { Position = entry.Position };
            }
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> distinct event ids were acknowledged.</summary>
    /// <remarks>A record stored by an append that then failed can be read (and delivered) before the retry acknowledges it.</remarks>
    public Task WaitAcknowledgedAsync(int count, CancellationToken cancellationToken)
    {
        lock (_acknowledged)
        {
            if (_acknowledged.Count >= count)
            {
                return Task.CompletedTask;
            }
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _ackWaiters.Add((count, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    private void Acknowledge(IEnumerable<LogRecord> records)
    {
        lock (_acknowledged)
        {
            foreach (var r in records)
            {
                _acknowledged.Add(r.EventId);
            }
            for (var i = _ackWaiters.Count - 1; i >= 0; i--)
            {
                if (_ackWaiters[i].Count <= _acknowledged.Count)
                {
                    _ackWaiters[i].Done.TrySetResult();
                    _ackWaiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>None: nodes then follow each topic through <see cref="ReadAsync"/>, where the read faults are injected.</summary>
    public override ValueTask<ILogFirehose?> OpenFirehoseAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<ILogFirehose?>(null);

    /// <summary>A uniform number in [0, 1) determined by the seed and the arguments only.</summary>
    private double Roll(string kind, string key, long n)
    {
        var h = 14695981039346656037UL ^ (ulong)(uint)_seed;
        foreach (var c in kind)
        {
            h = (h ^ c) * 1099511628211UL;
        }
        foreach (var c in key)
        {
            h = (h ^ c) * 1099511628211UL;
        }
        h = (h ^ (ulong)n) * 1099511628211UL;
        // splitmix64 finalizer
        h ^= h >> 30;
        h *= 0xbf58476d1ce4e5b9UL;
        h ^= h >> 27;
        h *= 0x94d049bb133111ebUL;
        h ^= h >> 31;
        return (h >> 11) * (1.0 / (1UL << 53));
    }
}
