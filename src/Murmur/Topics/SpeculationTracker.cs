using System.Text.Json;
using Murmur.Events;

namespace Murmur.Topics;

/// <summary>
/// A member's view of what is provisional, confirmed and withdrawn, worked out from the events it is handed —
/// no coordinator. An event without <c>depends_on</c> is confirmed by its producer's later <c>TASK_COMPLETE</c>;
/// a speculative event (with <c>depends_on</c>) only by a <c>SPECULATION_COMMIT</c> that lists it. <c>RETRACT</c>
/// withdraws one event, <c>SPECULATION_ABORT</c> all events it lists.
/// </summary>
/// <remarks>Used from the member's agent turn only.</remarks>
internal sealed class SpeculationTracker(TopicMember member)
{
    private HashSet<string>? _confirmed;                 // events confirmed by a SPECULATION_COMMIT that lists them
    private Dictionary<string, string>? _withdrawn;      // events withdrawn, with why
    private Dictionary<string, ulong>? _completedUpTo;   // per actor: its own entry at its last TASK_COMPLETE seen
    private Dictionary<string, (string Actor, ulong Seq)>? _dependencies; // where the pending speculations' dependencies sit
    private readonly List<Speculation> _pending = [];
    private long _sequence;

    public Speculation Start(IReadOnlyList<string> dependsOn)
    {
        var id = $"spec_{member.Actor}_{Interlocked.Increment(ref _sequence)}";
        member.Host.OnSpeculationStarted();
        foreach (var dependency in dependsOn)
        {
            // Resolved now, while the event is surely in the node's window: a confirmation can come long after.
            if (member.Host.Locate(dependency) is { } located && located.Speculative == false)
            {
                (_dependencies ??= new(StringComparer.Ordinal))[dependency] = (located.Actor, located.Seq);
            }
        }
        return new Speculation(member, id, dependsOn);
    }

    /// <summary>True when <paramref name="events"/> hold a decision a tracker must take in (a completion, a retraction, a commit or an abort).</summary>
    public static bool Concerns(IReadOnlyList<AgentEvent> events)
    {
        foreach (var e in events)
        {
            if (e.Action is Actions.TaskComplete or Actions.Retract or Actions.SpeculationCommit or Actions.SpeculationAbort)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Takes in newly handed events (what confirms and what withdraws).</summary>
    /// <remarks>
    /// Memory does not grow with the events seen: a producer's <c>TASK_COMPLETE</c> is kept as its own entry, which
    /// confirms every earlier event of it at once; only commits and withdrawals (decisions, not traffic) are kept by id.
    /// </remarks>
    public void Observe(IReadOnlyList<AgentEvent> events)
    {
        foreach (var e in events)
        {
            switch (e.Action)
            {
                case Actions.TaskComplete:
                    var s = member.Host.IndexOf(e.Actor);
                    if (s >= 0 && s < e.Clock.Length)
                    {
                        var completed = _completedUpTo ??= new(StringComparer.Ordinal);
                        completed[e.Actor] = Math.Max(completed.GetValueOrDefault(e.Actor), e.Clock[s]);
                    }
                    break;
                case Actions.Retract when Retraction.TryRead(e, out var retraction):
                    (_withdrawn ??= new(StringComparer.Ordinal)).TryAdd(retraction!.Target, $"{e.Actor} retracted {retraction.Target}" + (retraction.Reason is { } why ? $": {why}" : string.Empty));
                    break;
                case Actions.SpeculationCommit:
                    foreach (var id in ListedEvents(e))
                    {
                        (_confirmed ??= new(StringComparer.Ordinal)).Add(id);
                    }
                    break;
                case Actions.SpeculationAbort:
                    foreach (var id in ListedEvents(e))
                    {
                        (_withdrawn ??= new(StringComparer.Ordinal)).TryAdd(id, $"{e.Actor} aborted the speculation that produced {id}");
                    }
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Commits or aborts what can be decided now, in start order.</summary>
    public async ValueTask<(List<Speculation> Committed, List<Speculation> Aborted)> SettleAllAsync(CancellationToken cancellationToken)
    {
        List<Speculation> committed = [], aborted = [];
        foreach (var speculation in _pending.ToList())
        {
            var outcome = await TrySettleAsync(speculation, cancellationToken).ConfigureAwait(false);
            if (outcome == SpeculationState.Committed)
            {
                committed.Add(speculation);
            }
            else if (outcome == SpeculationState.Aborted)
            {
                aborted.Add(speculation);
            }
        }
        return (committed, aborted);
    }

    /// <summary>Called when the agent disposes a speculation: settle it now if possible, else keep it pending.</summary>
    public async ValueTask SettleAsync(Speculation speculation, CancellationToken cancellationToken)
    {
        _pending.Add(speculation);
        var outcome = await TrySettleAsync(speculation, cancellationToken).ConfigureAwait(false);
        if (outcome == SpeculationState.Aborted)
        {
            await member.NotifyAbortedAsync(speculation, cancellationToken).ConfigureAwait(false);
        }
        else if (outcome == SpeculationState.Committed)
        {
            await member.NotifyCommittedAsync(speculation, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<SpeculationState> TrySettleAsync(Speculation speculation, CancellationToken cancellationToken)
    {
        foreach (var dependency in speculation.DependsOn)
        {
            if (_withdrawn is not null && _withdrawn.TryGetValue(dependency, out var reason))
            {
                _pending.Remove(speculation);
                // Counted before the abort is published: whoever sees the SPECULATION_ABORT sees the count too.
                member.Host.OnSpeculationSettled(committed: false);
                await speculation.AbortAsync(reason, cancellationToken).ConfigureAwait(false);
                return SpeculationState.Aborted;
            }
        }
        foreach (var dependency in speculation.DependsOn)
        {
            if (!IsConfirmedDependency(dependency))
            {
                return SpeculationState.Pending;
            }
        }
        _pending.Remove(speculation);
        member.Host.OnSpeculationSettled(committed: true);
        await speculation.CommitAsync(cancellationToken).ConfigureAwait(false);
        return SpeculationState.Committed;
    }

    /// <summary>True when <paramref name="eventId"/> is known to be withdrawn.</summary>
    public bool IsWithdrawn(string eventId) => _withdrawn?.ContainsKey(eventId) == true;

    /// <summary>
    /// True when <paramref name="eventId"/> is known to be confirmed: listed by a commit, or — for an event without
    /// <c>depends_on</c> the node still keeps — followed by its producer's <c>TASK_COMPLETE</c>.
    /// </summary>
    public bool IsConfirmed(string eventId)
    {
        if (_confirmed?.Contains(eventId) == true)
        {
            return true;
        }
        return _completedUpTo is not null && member.Host.Locate(eventId) is { Speculative: false } located && CompletedAfter(located.Actor, located.Seq);
    }

    private bool IsConfirmedDependency(string eventId)
        => _confirmed?.Contains(eventId) == true
            || (_dependencies is not null && _dependencies.TryGetValue(eventId, out var at) && CompletedAfter(at.Actor, at.Seq));

    private bool CompletedAfter(string actor, ulong seq) => _completedUpTo is not null && _completedUpTo.TryGetValue(actor, out var done) && done > seq;

    private static List<string> ListedEvents(AgentEvent e)
    {
        try
        {
            using var document = JsonDocument.Parse(e.Payload);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("events", out var events) && events.ValueKind == JsonValueKind.Array)
            {
                return [.. events.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)];
            }
        }
        catch (JsonException)
        {
        }
        return [];
    }
}
