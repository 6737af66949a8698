using Murmur.Events;

namespace Murmur.Benchmarks.Consistency;

/// <summary>How topic members fold CONFIG_SET events into their config.</summary>
internal static class ConfigFold
{
    public const string ConfigSet = "CONFIG_SET";

    public static object Payload(string key, long value) => new Dictionary<string, object>(StringComparer.Ordinal) { ["key"] = key, ["value"] = value };

    public static void Apply(ConfigState state, AgentEvent e)
    {
        var payload = e.GetPayload();
        state.Set(payload.GetProperty("key").GetString()!, payload.GetProperty("value").GetInt64());
    }

    /// <summary>
    /// Strict: a view holds whole rounds, identical for every member; apply them round by round and, inside a round,
    /// in actor order — a function of the view alone, so every member and every run computes the same state.
    /// </summary>
    public static int ApplyRounds(ConfigState state, IEnumerable<AgentEvent> events)
    {
        var sets = events.Where(e => e.Action == ConfigSet).OrderBy(e => e.Round ?? 0).ThenBy(e => e.Actor, StringComparer.Ordinal).ToList();
        foreach (var e in sets)
        {
            Apply(state, e);
        }
        return sets.Count;
    }

    /// <summary>Eventual: apply in delivery order (causal, but concurrent writes in whatever order they arrived).</summary>
    public static int ApplyDelivered(ConfigState state, IEnumerable<AgentEvent> events)
    {
        var count = 0;
        foreach (var e in events.Where(e => e.Action == ConfigSet))
        {
            Apply(state, e);
            count++;
        }
        return count;
    }
}
