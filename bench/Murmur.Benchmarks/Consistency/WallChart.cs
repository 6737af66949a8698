using System.Globalization;
using System.Text;

namespace Murmur.Benchmarks.Consistency;

/// <summary>Writes the exploratory wall-clock per system as a small SVG bar chart (hand-made, no chart library).</summary>
internal static class WallChart
{
    public static string Render(IReadOnlyList<(string System, double Seconds)> bars, string subtitle)
    {
        const int Width = 640, Left = 170, Right = 110, Top = 56, Bar = 34, Gap = 14;
        var height = Top + (bars.Count * (Bar + Gap)) + 40;
        var max = bars.Max(b => b.Seconds);
        var scale = (Width - Left - Right) / max;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{height}" viewBox="0 0 {Width} {height}" font-family="sans-serif" font-size="13">""").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"""<rect width="{Width}" height="{height}" fill="white"/>""").Append('\n');
        sb.Append("""<text x="12" y="22" font-size="15" font-weight="bold">Exploratory task: wall-clock per consistency mode (lower is better)</text>""").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"""<text x="12" y="40" fill="#555">{Escape(subtitle)}</text>""").Append('\n');
        string[] colours = ["#9e9e9e", "#3f51b5", "#26a69a", "#ef6c00"];
        for (var i = 0; i < bars.Count; i++)
        {
            var (system, seconds) = bars[i];
            var y = Top + (i * (Bar + Gap));
            var w = Math.Max(1, seconds * scale);
            sb.Append(CultureInfo.InvariantCulture, $"""<text x="{Left - 8}" y="{y + (Bar / 2) + 5}" text-anchor="end">{Escape(system)}</text>""").Append('\n');
            sb.Append(CultureInfo.InvariantCulture, $"""<rect x="{Left}" y="{y}" width="{w:F1}" height="{Bar}" fill="{colours[i % colours.Length]}"/>""").Append('\n');
            var label = string.Create(CultureInfo.InvariantCulture, $"{seconds * 1000:F0} ms ≈ {seconds * Modelled.ModelledMsPerMs:F1} s modelled");
            sb.Append(CultureInfo.InvariantCulture, $"""<text x="{Left + w + 6:F1}" y="{y + (Bar / 2) + 5}">{Escape(label)}</text>""").Append('\n');
        }
        sb.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" y1="{Top - 4}" x2="{Left}" y2="{height - 36}" stroke="#333"/>""").Append('\n');
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
