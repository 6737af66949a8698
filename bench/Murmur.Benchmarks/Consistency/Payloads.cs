using System.Text.Json;
using Murmur.Events;

namespace Murmur.Benchmarks.Consistency;

/// <summary>Event payloads of the consistency benchmark: <c>{"key": finding}</c>.</summary>
internal static class Payloads
{
    public const string Review = "REVIEW";

    public static object Key(string key) => new Dictionary<string, string>(StringComparer.Ordinal) { ["key"] = key };

    public static string ReadKey(AgentEvent e) => e.GetPayload().GetProperty("key").GetString()
        ?? throw new JsonException($"{e.Action} {e.EventId} has no key");
}
