using System.Runtime.CompilerServices;
using Murmur.Fleet;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;

namespace Murmur.Nats;

/// <summary>
/// The fleet's membership store on NATS: a key-value bucket (<c>{stream}_FLEET</c>) with one key per node and a history
/// of one, so each node's last announcement is kept and nothing else; watchers get every key's current value, then
/// every update (a removal as a record without data).
/// </summary>
internal sealed class NatsMembershipStore(INatsKVStore bucket, Func<Exception, string> describe, TimeProvider time) : IMembershipStore
{
    /// <summary>The bucket's name for a stream.</summary>
    public static string BucketFor(string stream) => stream + "_FLEET";

    /// <summary>How old a removal's marker is before a sweep drops it, and how often the bucket is swept at most.</summary>
    private static readonly TimeSpan MarkerAge = TimeSpan.FromMinutes(1);

    private const long NeverSwept = long.MinValue;

    /// <summary>When (a <see cref="TimeProvider.GetTimestamp"/>) this store last swept the bucket of old removal markers.</summary>
    private long _lastSweep = NeverSwept;

    public async ValueTask PublishAsync(string node, ReadOnlyMemory<byte> announcement, CancellationToken cancellationToken = default)
    {
        try
        {
            await bucket.PutAsync(node, announcement.ToArray(), NatsRawSerializer<byte[]>.Default, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw NatsErrors.Failed($"Publishing the announcement of node '{node}' on NATS failed: {describe(ex)}", ex);
        }
    }

    public async ValueTask RemoveAsync(string node, CancellationToken cancellationToken = default)
    {
        try
        {
            // A purge keeps no value, only a small marker. Markers older than a minute are dropped by a sweep, which reads
            // the whole bucket: at most one a minute (a node's removal is two keys, and a fleet forgets nodes in bunches).
            await bucket.PurgeAsync(node, cancellationToken: cancellationToken).ConfigureAwait(false);
            var now = time.GetTimestamp();
            var last = Interlocked.Read(ref _lastSweep);
            if ((last == NeverSwept || time.GetElapsedTime(last, now) >= MarkerAge) && Interlocked.CompareExchange(ref _lastSweep, now, last) == last)
            {
                await bucket.PurgeDeletesAsync(new NatsKVPurgeOpts { DeleteMarkersThreshold = MarkerAge }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw NatsErrors.Failed($"Removing the announcement of node '{node}' on NATS failed: {describe(ex)}", ex);
        }
    }

    public async ValueTask<IReadOnlyList<MembershipRecord>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        var records = new List<MembershipRecord>();
        try
        {
            await foreach (var key in bucket.GetKeysAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var entry = await bucket.TryGetEntryAsync(key, 0, NatsRawSerializer<byte[]>.Default, cancellationToken).ConfigureAwait(false);
                if (entry.Success && entry.Value.Value is { } data)
                {
                    records.Add(new MembershipRecord(key, data));
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw NatsErrors.Failed($"Reading the fleet's announcements on NATS failed: {describe(ex)}", ex);
        }
        return records;
    }

    public async IAsyncEnumerable<MembershipRecord> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var entries = bucket.WatchAsync(">", NatsRawSerializer<byte[]>.Default, new NatsKVWatchOpts { IgnoreDeletes = false }, cancellationToken);
        await using var enumerator = entries.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            bool more;
            try
            {
                more = await enumerator.MoveNextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw NatsErrors.Failed($"Watching the fleet's announcements on NATS failed: {describe(ex)}", ex);
            }
            if (!more)
            {
                yield break;
            }
            if (enumerator.Current is { Operation: NatsKVOperation.Put, Value: { } data } entry)
            {
                yield return new MembershipRecord(entry.Key, data);
            }
            else if (enumerator.Current is { Operation: NatsKVOperation.Del or NatsKVOperation.Purge } removed)
            {
                yield return new MembershipRecord(removed.Key, ReadOnlyMemory<byte>.Empty);
            }
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
