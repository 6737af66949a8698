using System.Globalization;

namespace Murmur.Benchmarks.Consistency;

/// <summary>A shared production config (the precision task's result): three integer settings.</summary>
internal sealed class ConfigState
{
    public static readonly string[] Keys = ["max_conn", "replicas", "timeout_ms"];

    private readonly SortedDictionary<string, long> _values = new(StringComparer.Ordinal)
    {
        ["max_conn"] = 50,
        ["replicas"] = 3,
        ["timeout_ms"] = 100,
    };

    public long this[string key] => _values[key];

    /// <summary>The value an operator writes for <paramref name="op"/> given this state.</summary>
    public long Compute(ConfigOp op) => ((_values[op.Key] * op.Multiply) + op.Add) % 100_000;

    public void Set(string key, long value) => _values[key] = value;

    public ConfigState Clone()
    {
        var copy = new ConfigState();
        foreach (var (key, value) in _values)
        {
            copy._values[key] = value;
        }
        return copy;
    }

    public override string ToString() => string.Join(",", _values.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value}")));
}
