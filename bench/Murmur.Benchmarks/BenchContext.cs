using System.Globalization;
using System.Text;

namespace Murmur.Benchmarks;

/// <summary>What a bench gets: the --quick flag and a writer of result lines.</summary>
internal sealed class BenchContext(bool quick, TextWriter output)
{
    /// <summary>True when the run must finish in under a minute.</summary>
    public bool Quick { get; } = quick;

    /// <summary>
    /// Writes <c>{"bench":…,"system":…,"metric":…,"value":…,"unit":…, extra keys…}</c> as one line.
    /// </summary>
    public void Report(string bench, string system, string metric, double value, string unit,
        params (string Key, object Value)[] keys)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{{\"bench\":\"{bench}\",\"system\":\"{system}\",\"metric\":\"{metric}\",");
        foreach (var (key, v) in keys)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\"{key}\":");
            sb.Append(v is string s ? $"\"{s}\"" : Convert.ToString(v, CultureInfo.InvariantCulture));
            sb.Append(',');
        }
        sb.Append(CultureInfo.InvariantCulture, $"\"value\":{Math.Round(value, 3).ToString("R", CultureInfo.InvariantCulture)},\"unit\":\"{unit}\"}}");
        lock (output)
        {
            output.WriteLine(sb.ToString());
            output.Flush();
        }
    }
}
