using Murmur.Logs;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace Murmur.Nats;

// The follower's last line of defence: a consumer that goes silent while the topic holds more is noticed and replaced.
public sealed partial class NatsEventLog
{
    /// <summary>After this many stall checks in a row that could not learn where the topic ends, the consumer is replaced anyway.</summary>
    private const int UnansweredChecks = 3;

    /// <summary>
    /// The consumer's next message (null when the consume ended); or <c>Stalled</c> when it delivered nothing for
    /// <paramref name="period"/> although the topic's end is beyond <paramref name="last"/> (the consumer lost its server
    /// and did not come back). <c>Abandoned</c>: the consume did not even end when cancelled, so the enumerator
    /// must not be disposed (that would throw while a move is pending); it is left to finish by itself.
    /// </summary>
    private async Task<(INatsJSMsg<byte[]>? Message, bool Stalled, bool Abandoned)> NextOrStallAsync(
        IAsyncEnumerator<INatsJSMsg<byte[]>> enumerator, string topic, Func<CancellationToken, ValueTask<long>> endAsync, long last, TimeSpan period,
        CancellationTokenSource consumerStop, CancellationToken cancellationToken)
    {
        var pending = enumerator.MoveNextAsync();
        if (pending.IsCompleted)
        {
            return (await MovedAsync(pending.AsTask(), enumerator, topic, cancellationToken).ConfigureAwait(false), false, false);
        }
        // Most messages are already buffered and complete synchronously above; only a real wait arms a timer.
        var move = pending.AsTask();
        var unanswered = 0;
        while (true)
        {
            try
            {
                await move.WaitAsync(period, _time, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException) when (!move.IsCompleted)
            {
                if (consumerStop.IsCancellationRequested)
                {
                    // Cancelled by the caller or a dispose: the consume ends by itself; one that does not is left behind.
                    try
                    {
                        await move.WaitAsync(_options.RequestTimeout * 2, _time, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (TimeoutException) when (!move.IsCompleted)
                    {
                        return (null, false, true);
                    }
                    catch (Exception) when (move.IsCompleted)
                    {
                    }
                    return (await MovedAsync(move, enumerator, topic, cancellationToken).ConfigureAwait(false), false, false);
                }
                long end = 0;
                var silent = false;
                try
                {
                    end = await endAsync(consumerStop.Token).ConfigureAwait(false);
                    unanswered = 0;
                }
                catch (EventLogException ex) when (++unanswered < UnansweredChecks)
                {
                    NatsLogMessages.StallCheckFailed(_logger, topic, ex.Message);
                    continue; // the servers may be electing leaders: wait a little longer
                }
                catch (EventLogException ex)
                {
                    // Silent and unable to say where the stream ends, again and again: the consumer may have died with
                    // its server while the others serve on (seen when a server was killed with 2,000 topics being set
                    // up). A new consumer costs one request; waiting on a dead one costs the node every topic.
                    NatsLogMessages.StallCheckFailed(_logger, topic, ex.Message);
                    NatsLogMessages.ConsumerSilent(_logger, topic, UnansweredChecks);
                    silent = true;
                    unanswered = 0;
                }
                if (!silent && end <= last)
                {
                    continue; // nothing to deliver: a quiet topic, not a stall
                }
                if (!silent)
                {
                    NatsLogMessages.ConsumerStalled(_logger, topic, period.TotalSeconds, end, last);
                }
                await consumerStop.CancelAsync().ConfigureAwait(false);
                try
                {
                    await move.WaitAsync(_options.RequestTimeout * 2, _time, CancellationToken.None).ConfigureAwait(false);
                }
                catch (TimeoutException) when (!move.IsCompleted)
                {
                    NatsLogMessages.ConsumeAbandoned(_logger, topic);
                    return (null, true, true);
                }
                catch (Exception ex) when (ex is OperationCanceledException or NatsException)
                {
                }
                return (null, true, false);
            }
            catch (Exception) when (move.IsCompleted)
            {
                // The move itself failed: its exception is observed below.
            }
            return (await MovedAsync(move, enumerator, topic, cancellationToken).ConfigureAwait(false), false, false);
        }
    }

    private async Task<INatsJSMsg<byte[]>?> MovedAsync(Task<bool> move, IAsyncEnumerator<INatsJSMsg<byte[]>> enumerator, string topic, CancellationToken cancellationToken)
    {
        try
        {
            return await move.ConfigureAwait(false) ? enumerator.Current : null;
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(NatsEventLog), "The NATS log was disposed while a reader followed it.");
        }
        catch (NatsJSException ex) when (!cancellationToken.IsCancellationRequested && !_disposed.IsCancellationRequested)
        {
            // The consumer was deleted (its server died or restarted), its leader changed, or pulls kept failing:
            // end this consume; the follower replaces the consumer from the next position.
            NatsLogMessages.ConsumeFailed(_logger, topic, ex.Message);
            return null;
        }
    }
}
