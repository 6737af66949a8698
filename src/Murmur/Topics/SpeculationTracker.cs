using System.Text.Json;

namespace Murmur;

/// <summary>
/// A member's view of what is provisional, confirmed and withdrawn, worked out from the events it is handed —
/// no coordinator. An event without <c>depends_on</c> is confirmed by its producer's later <c>TASK_COMPLETE</c>;
/// a speculative event (with <c>depends_on</c>) only by a <c>SPECULATION_COMMIT</c> that lists it. <c>RETRACT</c>
/// withdraws one event, <c>SPECULATION_ABORT</c> all events it lists.
/// </summary>
/// <remarks>Used from the member's agent turn only.</remarks>
internal sealed class SpeculationTracker(TopicMember member)
{
    private readonly HashSet<string> _confirmed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _withdrawn = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _provisional = new(StringComparer.Ordinal);
    private readonly List<Speculation> _pending = [];
    private long _sequence;

    public Speculation Start(IReadOnlyList<string> dependsOn)
    {
        var id = $"spec_{member.Actor}_{Interlocked.Increment(ref _sequence)}";
        member.Host.OnSpeculationStarted();
        return new Speculation(member, id, dependsOn);
    }

    /// <summary>Takes in newly handed events; returns the speculations that can now be settled.</summary>
    public void Observe(IReadOnlyList<AgentEvent> events)
    {
        foreach (var e in events)
        {
            switch (e.Action)
            {
                case Actions.TaskComplete:
                    if (_provisional.Remove(e.Actor, out var ids))
                    {
                        _confirmed.UnionWith(ids);
                    }
                    break;
                case Actions.Retract when Retraction.TryRead(e, out var retraction):
                    _withdrawn.TryAdd(retraction!.Target, $"{e.Actor} retracted {retraction.Target}" + (retraction.Reason is { } why ? $": {why}" : string.Empty));
                    break;
                case Actions.SpeculationCommit:
                    foreach (var id in ListedEvents(e))
                    {
                        _confirmed.Add(id);
                    }
                    break;
                case Actions.SpeculationAbort:
                    foreach (var id in ListedEvents(e))
                    {
                        _withdrawn.TryAdd(id, $"{e.Actor} aborted the speculation that produced {id}");
                    }
                    break;
                case Actions.Join or Actions.RoundDone or Actions.Leave or Actions.Heartbeat:
                    break;
                default:
                    if (e.DependsOn.Count == 0)
                    {
                        if (!_provisional.TryGetValue(e.Actor, out var list))
                        {
                            _provisional[e.Actor] = list = [];
                        }
                        list.Add(e.EventId);
                    }
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
            if (_withdrawn.TryGetValue(dependency, out var reason))
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
            if (!_confirmed.Contains(dependency))
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
    public bool IsWithdrawn(string eventId) => _withdrawn.ContainsKey(eventId);

    /// <summary>True when <paramref name="eventId"/> is known to be confirmed.</summary>
    public bool IsConfirmed(string eventId) => _confirmed.Contains(eventId);

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
