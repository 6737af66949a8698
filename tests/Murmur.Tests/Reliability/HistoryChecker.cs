using System.Text;
using Murmur.Causality;
using Murmur.Events;

namespace Murmur.Tests.Reliability;

/// <summary>Counts of side effects by event id, safe to share between agents and nodes.</summary>
public sealed class EffectLedger
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>Records that the side effect of <paramref name="eventId"/> ran once more.</summary>
    public void Ran(string eventId)
    {
        lock (_counts)
        {
            _counts[eventId] = _counts.GetValueOrDefault(eventId) + 1;
        }
    }

    public IReadOnlyDictionary<string, int> Counts
    {
        get
        {
            lock (_counts)
            {
                return new Dictionary<string, int>(_counts, StringComparer.Ordinal);
            }
        }
    }
}

/// <summary>What <see cref="HistoryChecker.Check"/> found: every violation, and the totals it looked at.</summary>
public sealed record HistoryReport(IReadOnlyList<string> Violations, int Acknowledged, int Delivered, int Lost, int Duplicated, int Effects)
{
    public bool IsValid => Violations.Count == 0;

    public override string ToString()
    {
        var text = new StringBuilder()
            .Append(IsValid ? "history OK" : $"{Violations.Count} violation(s)")
            .Append($" (acknowledged {Acknowledged}, delivered {Delivered}, lost {Lost}, duplicated {Duplicated}, effects {Effects})");
        foreach (var v in Violations)
        {
            text.Append('\n').Append("  - ").Append(v);
        }
        return text.ToString();
    }
}

/// <summary>
/// Checks a run's histories: every acknowledged event reached every node; no event was delivered twice on a node;
/// at most one side effect per event id; delivery never contradicts happens-before; each member's own clock entries
/// are 1, 2, 3… in its delivered events, with no gap and no repeat; at most one live owner per agent (its JOINs name
/// one node); one owner per epoch (an agent's delivered epochs never go back — no zombie event after a takeover — and
/// every node names the same owner for each agent and epoch).
/// </summary>
public static class HistoryChecker
{
    /// <summary>At most this many violations of one kind are listed; the rest are counted.</summary>
    private const int ListPerKind = 20;

    /// <param name="acknowledged">Event ids whose append the log acknowledged.</param>
    /// <param name="delivered">Per node, the events it delivered, in delivery order.</param>
    /// <param name="effects">How often each event's side effect ran.</param>
    /// <param name="epochOwners">Per node, the owner it learnt for each (agent, epoch) from the log's JOINs and CLAIMs, when the run took agents over.</param>
    public static HistoryReport Check(
        IReadOnlyCollection<string> acknowledged,
        IReadOnlyDictionary<string, IReadOnlyList<AgentEvent>> delivered,
        IReadOnlyDictionary<string, int> effects,
        IReadOnlyDictionary<string, IReadOnlyDictionary<(string Agent, ulong Epoch), string>>? epochOwners = null)
    {
        var violations = new List<string>();
        var perKind = new Dictionary<string, int>(StringComparer.Ordinal);
        void Add(string kind, string message)
        {
            var n = perKind[kind] = perKind.GetValueOrDefault(kind) + 1;
            if (n <= ListPerKind)
            {
                violations.Add($"{kind}: {message}");
            }
        }
        int lost = 0, duplicated = 0, total = 0;
        foreach (var (node, history) in delivered.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            total += history.Count;
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < history.Count; i++)
            {
                if (!ids.TryAdd(history[i].EventId, i))
                {
                    duplicated++;
                    Add("duplicate", $"node {node} delivered {history[i].EventId} twice (at {ids[history[i].EventId]} and {i})");
                }
            }
            foreach (var id in acknowledged.Order(StringComparer.Ordinal))
            {
                if (!ids.ContainsKey(id))
                {
                    lost++;
                    Add("lost", $"node {node} never delivered acknowledged event {id}");
                }
            }
            CheckHappensBefore(node, history, Add);
            CheckOwnSequences(node, history, Add);
            CheckOwners(node, history, Add);
            CheckEpochs(node, history, Add);
        }
        CheckOneOwnerPerEpoch(epochOwners, Add);
        foreach (var (id, count) in effects.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (count > 1)
            {
                Add("effect", $"the side effect of {id} ran {count} times");
            }
        }
        foreach (var (kind, n) in perKind.Where(p => p.Value > ListPerKind))
        {
            violations.Add($"{kind}: … and {n - ListPerKind} more");
        }
        return new HistoryReport(violations, acknowledged.Count, total, lost, duplicated, effects.Values.Sum());
    }

    /// <summary>At most one live owner per agent: every JOIN of an actor names the same node, unless the actor left in between.</summary>
    private static void CheckOwners(string node, IReadOnlyList<AgentEvent> history, Action<string, string> add)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in history)
        {
            if (e.Action == Actions.Leave)
            {
                owners.Remove(e.Actor);
            }
            else if (e.Action == Actions.Join && JoinNode(e) is { } joiner)
            {
                if (owners.TryGetValue(e.Actor, out var owner) && !string.Equals(owner, joiner, StringComparison.Ordinal))
                {
                    add("owner", $"node {node} delivered JOINs of {e.Actor} from node {owner} and from node {joiner} (two live owners)");
                }
                owners.TryAdd(e.Actor, joiner);
            }
        }
    }

    /// <summary>An agent's epochs never go back in a node's delivery: an older epoch after a newer one is a zombie's event that got through.</summary>
    private static void CheckEpochs(string node, IReadOnlyList<AgentEvent> history, Action<string, string> add)
    {
        var epochs = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var e in history)
        {
            var epoch = e.Epoch ?? 1;
            if (epochs.TryGetValue(e.Actor, out var seen) && epoch < seen)
            {
                add("epoch", $"node {node} delivered {e.EventId} of {e.Actor} at epoch {epoch} after one at epoch {seen} (a fenced owner's event)");
            }
            epochs[e.Actor] = Math.Max(seen, epoch);
        }
    }

    /// <summary>One owner per epoch: every node that knows an agent's owner at an epoch names the same node.</summary>
    private static void CheckOneOwnerPerEpoch(IReadOnlyDictionary<string, IReadOnlyDictionary<(string Agent, ulong Epoch), string>>? epochOwners, Action<string, string> add)
    {
        if (epochOwners is null)
        {
            return;
        }
        var agreed = new Dictionary<(string Agent, ulong Epoch), (string Owner, string Node)>();
        foreach (var (node, owners) in epochOwners.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var (key, owner) in owners)
            {
                if (!agreed.TryAdd(key, (owner, node)) && !string.Equals(agreed[key].Owner, owner, StringComparison.Ordinal))
                {
                    add("epoch owner", $"{key.Agent} at epoch {key.Epoch} is owned by {agreed[key].Owner} for node {agreed[key].Node} but by {owner} for node {node} (two owners of one epoch)");
                }
            }
        }
    }

    private static string? JoinNode(AgentEvent join)
    {
        try
        {
            var payload = join.GetPayload();
            return payload.ValueKind == System.Text.Json.JsonValueKind.Object && payload.TryGetProperty("node", out var n) ? n.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>If a → b by their clocks, a is delivered before b: no later event happened before an earlier one.</summary>
    private static void CheckHappensBefore(string node, IReadOnlyList<AgentEvent> history, Action<string, string> add)
    {
        for (var i = 0; i < history.Count; i++)
        {
            for (var j = i + 1; j < history.Count; j++)
            {
                if (history[j].Clock.Compare(history[i].Clock) == ClockOrder.Before)
                {
                    add("causality", $"node {node} delivered {history[j].EventId} {history[j].Clock} (at {j}) after {history[i].EventId} {history[i].Clock} (at {i}), but it happened before it");
                }
            }
        }
    }

    /// <summary>A member's index is where its JOIN's derived clock ends; its own entries must then count 1, 2, 3….</summary>
    private static void CheckOwnSequences(string node, IReadOnlyList<AgentEvent> history, Action<string, string> add)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var last = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var e in history)
        {
            if (e.Action == Actions.Join && !index.ContainsKey(e.Actor))
            {
                index[e.Actor] = e.Clock.Length - 1;
            }
            if (!index.TryGetValue(e.Actor, out var own))
            {
                add("sequence", $"node {node} delivered {e.EventId} from {e.Actor} before {e.Actor}'s JOIN");
                continue;
            }
            var seq = own < e.Clock.Length ? e.Clock[own] : 0UL;
            var expected = last.GetValueOrDefault(e.Actor) + 1;
            if (seq != expected)
            {
                add("sequence", $"node {node}: {e.Actor}'s event {e.EventId} has own entry {seq}, expected {expected} ({(seq < expected ? "repeat" : "gap")})");
            }
            last[e.Actor] = Math.Max(seq, last.GetValueOrDefault(e.Actor));
        }
    }
}
