using System.Diagnostics;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.Benchmarks.Fleet;

/// <summary>
/// Follows one topic straight from the log (no node, no fencing of its own) and notes when an agent's new owner shows:
/// the <c>CLAIM</c> (epoch 2 or later) written by a node other than the dead owner — the first event the new owner
/// publishes for the agent — and the agent's first own event at such an epoch (its resumed copy at work). Times are
/// <see cref="Stopwatch"/> timestamps taken as each record is read.
/// </summary>
internal sealed class TakeoverWatch : IAsyncDisposable
{
    private readonly TaskCompletionSource<(long At, string Node)> _claimed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<(long At, string Action)> _resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;

    private TakeoverWatch(IEventLog log, string topic, long from, string agent, string deadOwner, Func<AgentEvent, bool>? finished)
        => _reading = ReadAsync(log, topic, from, agent, deadOwner, finished);

    /// <summary>When the new owner's claim was read, and the node it names.</summary>
    public Task<(long At, string Node)> Claimed => _claimed.Task;

    /// <summary>When the agent's first event of epoch 2 or later (not the claim) was read, and its action.</summary>
    public Task<(long At, string Action)> Resumed => _resumed.Task;

    /// <summary>Completes when an event that ends the work (as the caller defines it) was read.</summary>
    public Task Finished => _finished.Task;

    /// <summary>Starts following <paramref name="topic"/> from its current end.</summary>
    public static async Task<TakeoverWatch> StartAsync(IEventLog log, string topic, string agent, string deadOwner, Func<AgentEvent, bool>? finished = null)
        => new(log, topic, await log.GetEndPositionAsync(topic) + 1, agent, deadOwner, finished);

    private async Task ReadAsync(IEventLog log, string topic, long from, string agent, string deadOwner, Func<AgentEvent, bool>? finished)
    {
        await Task.Yield();
        try
        {
            await foreach (var entry in log.ReadAsync(topic, from, follow: true, _stop.Token))
            {
                var at = Stopwatch.GetTimestamp();
                // Untrusted input like any record: one that does not decode is simply not the event we wait for.
                if (!AgentEventCodec.TryDecode(entry.Data.Span, null, null, out var e, out _))
                {
                    continue;
                }
                if (finished?.Invoke(e) == true)
                {
                    _finished.TrySetResult();
                }
                if (!string.Equals(e.Actor, agent, StringComparison.Ordinal))
                {
                    continue;
                }
                if (e.Clock.Length == 0 && string.Equals(e.Action, Actions.Claim, StringComparison.Ordinal))
                {
                    if (ClaimPayload.TryRead(e, out _) is { } claim && !string.Equals(claim.Node, deadOwner, StringComparison.Ordinal))
                    {
                        _claimed.TrySetResult((at, claim.Node));
                    }
                }
                else if (e.Epoch is >= 2)
                {
                    _resumed.TrySetResult((at, e.Action));
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _claimed.TrySetException(ex);
            _resumed.TrySetException(ex);
            _finished.TrySetException(ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        _stop.Dispose();
    }
}
