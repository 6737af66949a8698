using System.Globalization;
using System.Net;
using System.Text;
using Murmur.Events;

namespace Murmur.Cli.Trace;

/// <summary>
/// Draws a <see cref="TraceModel"/> as an inline SVG space-time diagram: one lane per actor, one column per
/// delivered event. Every text taken from the log is HTML-encoded.
/// </summary>
internal static class SvgDiagram
{
    /// <summary>Left gutter holding the lane names.</summary>
    public const int Left = 190;

    /// <summary>Space above the first lane (rotated labels, round names).</summary>
    public const int Top = 96;

    /// <summary>Distance between two lanes.</summary>
    public const int LaneGap = 112;

    /// <summary>Distance between two columns.</summary>
    public const int ColumnGap = 54;

    private const int Right = 70;
    private const int Bottom = 36;
    private const int Radius = 8;
    private const int MaxLaneName = 24;
    private const int AxisHeight = 28;
    private static readonly long MinMilliseconds = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>The colour of lane <paramref name="lane"/>.</summary>
    public static string LaneColor(int lane) => Palette[lane % Palette.Length];

    private static readonly string[] Palette =
        ["#2563eb", "#9333ea", "#0d9488", "#c2410c", "#4d7c0f", "#be185d", "#475569", "#a16207"];

    /// <summary>The SVG element.</summary>
    /// <param name="model">What to draw.</param>
    /// <param name="timeAxis">Whether to draw a time axis under the lanes: each column's time (UTC) from its event's timestamp.</param>
    public static string Render(TraceModel model, bool timeAxis = false)
    {
        var lanes = Math.Max(1, model.Roster.Count);
        var width = Left + (Math.Max(1, model.Nodes.Count) - 1) * ColumnGap + Right;
        var height = Top + (lanes - 1) * LaneGap + Bottom + (timeAxis ? AxisHeight : 0);
        var svg = new StringBuilder();
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"diagram\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"space-time diagram\">\n");
        svg.Append("<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"head\"/></marker>");
        svg.Append("<marker id=\"head-dep\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"head-dep\"/></marker></defs>\n");
        svg.Append("<g id=\"barriers\">\n");
        foreach (var b in model.Barriers)
        {
            var x = X(b.AfterIndex) + ColumnGap / 2;
            svg.Append($"<g class=\"barrier\"><line class=\"barrier-line\" x1=\"{x}\" y1=\"14\" x2=\"{x}\" y2=\"{height - 8}\"/><text class=\"barrier-label\" x=\"{x + 5}\" y=\"24\">round {b.Round}</text></g>\n");
        }
        svg.Append("</g>\n<g id=\"lanes\">\n");
        for (var i = 0; i < model.Roster.Count; i++)
        {
            var name = model.Roster[i];
            var shown = name.Length <= MaxLaneName ? name : name[..(MaxLaneName - 1)] + "…";
            svg.Append($"<g class=\"lane\" data-lane=\"{i}\" style=\"--lane:{LaneColor(i)}\"><line class=\"lane-axis\" x1=\"{Left - 16}\" y1=\"{Y(i)}\" x2=\"{width - 24}\" y2=\"{Y(i)}\"/>");
            svg.Append($"<text class=\"lane-name\" x=\"{Left - 28}\" y=\"{Y(i) + 5}\">{Encode(shown)}<title>{Encode(name)}</title></text></g>\n");
        }
        svg.Append("</g>\n<g id=\"arrows\">\n");
        foreach (var a in model.Arrows)
        {
            svg.Append(Arrow(a)).Append('\n');
        }
        svg.Append("</g>\n<g id=\"events\">\n");
        foreach (var node in model.Nodes)
        {
            svg.Append(Mark(node)).Append('\n');
        }
        svg.Append("</g>\n");
        if (timeAxis)
        {
            TimeAxis(svg, model, Top + (lanes - 1) * LaneGap + Bottom, width);
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>
    /// A tick under every column and, where there is room (two columns apart) and the second changed, the event's time.
    /// Columns are delivery order, not a linear time scale: the labels say when each event was stamped.
    /// </summary>
    private static void TimeAxis(StringBuilder svg, TraceModel model, int y, int width)
    {
        svg.Append($"<g id=\"time-axis\"><line class=\"axis-line\" x1=\"{Left - 16}\" y1=\"{y}\" x2=\"{width - 24}\" y2=\"{y}\"/>");
        svg.Append($"<text class=\"axis-name\" x=\"{Left - 44}\" y=\"{y + 18}\">time (UTC)</text>\n");
        var lastColumn = -2; // so column 0 has room
        string? lastText = null;
        foreach (var node in model.Nodes)
        {
            var x = X(node.Index);
            svg.Append($"<line class=\"tick\" x1=\"{x}\" y1=\"{y}\" x2=\"{x}\" y2=\"{y + 5}\"/>");
            // A timestamp is whatever the writer put there: one outside DateTimeOffset's range gets no label.
            if (node.Event.Timestamp is not { } ms || ms < MinMilliseconds || ms > MaxMilliseconds)
            {
                continue;
            }
            var at = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            var text = at.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
            if (text != lastText && node.Index - lastColumn >= 2)
            {
                svg.Append($"<text class=\"time\" data-i=\"{node.Index}\" x=\"{x}\" y=\"{y + 18}\">{text}<title>{at.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)} UTC</title></text>");
                lastColumn = node.Index;
                lastText = text;
            }
        }
        svg.Append("</g>\n");
    }

    private static int X(int column) => Left + column * ColumnGap;

    private static int Y(int lane) => Top + lane * LaneGap;

    private static string Arrow(TraceArrow a)
    {
        int x1 = X(a.From.Index), y1 = Y(a.From.Lane), x2 = X(a.To.Index), y2 = Y(a.To.Lane);
        var ends = $"data-from=\"{a.From.Index}\" data-to=\"{a.To.Index}\"";
        switch (a.Kind)
        {
            case ArrowKind.Lane:
                return $"<line class=\"seg\" {ends} x1=\"{x1 + Radius}\" y1=\"{y1}\" x2=\"{x2 - Radius}\" y2=\"{y2}\" style=\"--lane:{LaneColor(a.To.Lane)}\"/>";
            case ArrowKind.Causal:
                var (sx, sy) = Toward(x1, y1, x2, y2, Radius + 1);
                var (ex, ey) = Toward(x2, y2, x1, y1, Radius + 3);
                return $"<path class=\"arrow causal\" {ends} d=\"M{sx},{sy} L{ex},{ey}\" marker-end=\"url(#head)\"/>";
            default:
                // A dashed curve bulging upwards, so it stays apart from a straight causal arrow on the same pair.
                var cx = (x1 + x2) / 2;
                var cy = Math.Min(y1, y2) - 34 - Math.Abs(x2 - x1) / 8;
                var (dx, dy) = Toward(x1, y1, cx, cy, Radius + 1);
                var (fx, fy) = Toward(x2, y2, cx, cy, Radius + 3);
                return $"<path class=\"arrow dep\" {ends} d=\"M{dx},{dy} Q{cx},{cy} {fx},{fy}\" marker-end=\"url(#head-dep)\"/>";
        }
    }

    /// <summary>The point <paramref name="by"/> pixels from (x, y) towards (tx, ty).</summary>
    private static (int X, int Y) Toward(int x, int y, int tx, int ty, int by)
    {
        double dx = tx - x, dy = ty - y;
        var length = Math.Sqrt(dx * dx + dy * dy);
        return length < 1 ? (x, y) : ((int)Math.Round(x + dx * by / length), (int)Math.Round(y + dy * by / length));
    }

    private static string Mark(TraceNode node)
    {
        var e = node.Event;
        var classes = new StringBuilder("ev");
        var glyph = "";
        if (node.IsSpeculative)
        {
            classes.Append(" spec");
        }
        switch (e.Action)
        {
            case Actions.SpeculationCommit:
                classes.Append(" commit");
                glyph = "<text class=\"glyph\" y=\"4\">✓</text>";
                break;
            case Actions.SpeculationAbort:
                classes.Append(" abort");
                glyph = "<text class=\"glyph\" y=\"4\">✕</text>";
                break;
            case Actions.RoundDone:
                classes.Append(" round-done");
                break;
            case Actions.Join:
                classes.Append(" join");
                break;
        }
        var shape = e.Action == Actions.RoundDone
            ? $"<rect class=\"mark\" x=\"-{Radius}\" y=\"-{Radius}\" width=\"{2 * Radius}\" height=\"{2 * Radius}\" rx=\"2\"/>"
            : $"<circle class=\"mark\" r=\"{Radius}\"/>";
        return $"<g class=\"{classes}\" data-i=\"{node.Index}\" tabindex=\"0\" transform=\"translate({X(node.Index)} {Y(node.Lane)})\" style=\"--lane:{LaneColor(node.Lane)}\">"
            + $"<circle class=\"halo\" r=\"15\"/>{shape}{glyph}<text class=\"label\" x=\"5\" y=\"-14\" transform=\"rotate(-38)\">{Encode(EventText.Label(e))}</text></g>";
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
