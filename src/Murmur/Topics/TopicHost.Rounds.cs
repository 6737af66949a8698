using System.Text.Json;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Logs;

namespace Murmur.Topics;

// Strict rounds as the host sees them: the open round, each member's next step, and eviction of silent members.
internal sealed partial class TopicHost
{
    /// <summary>In strict topics, the open round (how many rounds have closed); 0 in eventual topics.</summary>
    public int ClosedRounds
    {
        get
        {
            lock (Gate)
            {
                return _rounds?.Open ?? 0;
            }
        }
    }

    /// <summary>The open round; call only under the gate (from a wait condition).</summary>
    public int ClosedRoundsLocked => _rounds?.Open ?? 0;

    /// <summary>True when <paramref name="actor"/> holds the open strict round; call only under the gate.</summary>
    public bool IsHoldingLocked(string actor) => _rounds?.IsHolding(actor) == true;

    /// <summary>The delivered counts at which each strict round closed.</summary>
    public IReadOnlyList<long> ClosePositions
    {
        get
        {
            lock (Gate)
            {
                return _rounds is null ? [] : [.. _rounds.ClosePositions];
            }
        }
    }

    /// <summary>Members evicted from strict rounds for silence.</summary>
    public IReadOnlyList<string> Evicted
    {
        get
        {
            lock (Gate)
            {
                return _rounds is null ? [] : [.. _rounds.Evicted];
            }
        }
    }

    /// <summary>The round a strict member is in and what it should do there.</summary>
    public StrictStep NextStrictStep(string actor, int viewedRound, long completedLocally)
    {
        lock (Gate)
        {
            return _rounds!.NextStep(actor, viewedRound, completedLocally);
        }
    }

    /// <summary>
    /// Appends an <c>EVICT</c> for each member that held the open round longer than <paramref name="evictAfter"/>.
    /// Its event id is derived from the member and the round, so when several nodes decide at once the log
    /// keeps one: every node agrees on one eviction.
    /// </summary>
    private async Task EvictSilentMembersAsync(TimeSpan evictAfter)
    {
        var stop = _stop!.Token;
        List<string> silent;
        int round;
        try
        {
            // Decide on the latest log, not on what this node happened to have read: a member whose ROUND_DONE
            // is already in the log is not silent.
            await Reader.CatchUpAsync(stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EventLogException or OperationCanceledException or ObjectDisposedException or TopicReleasedException)
        {
            return;
        }
        lock (Gate)
        {
            if (Node.TimeProvider.GetElapsedTime(_rounds!.OpenedAt) < evictAfter)
            {
                return;
            }
            round = _rounds.Open;
            silent = _rounds.Holders();
        }
        foreach (var actor in silent)
        {
            try
            {
                var payload = System.Text.Encoding.UTF8.GetBytes($"{{\"round\":{round},\"by\":{JsonSerializer.Serialize(Node.NodeId)}}}");
                var evict = Appender.Create(actor, Actions.Evict, payload, VectorClock.Empty, null, round, $"evict-{actor}-r{round}");
                await Appender.AppendWithRetriesAsync(Appender.Prepare(evict).Record, stop).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is EventLogException or OperationCanceledException or ObjectDisposedException)
            {
                TopicLogMessages.AppendRetry(Node.Logger, Name, $"evict-{actor}-r{round}", 0, ex);
            }
        }
    }
}
