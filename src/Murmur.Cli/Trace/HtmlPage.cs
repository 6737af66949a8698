using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Murmur.Cli.Trace;

/// <summary>
/// Renders a <see cref="TraceModel"/> as one self-contained HTML page: the template, style and script are
/// embedded resources (<c>trace.html</c>, <c>trace.css</c>, <c>trace.js</c>) inlined into the page; nothing is
/// loaded from the network. Text from the log is HTML-encoded; the event data for the script is JSON with
/// <c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c> escaped, so it cannot close its script element.
/// </summary>
internal static partial class HtmlPage
{
    /// <summary>Renders the page; <paramref name="title"/> is usually the log's file name.</summary>
    public static string Render(TraceModel model, string title)
    {
        var parts = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["title"] = Encode(title),
            ["css"] = Resource("trace.css"),
            ["js"] = Resource("trace.js"),
            ["summary"] = Summary(model),
            ["svg"] = SvgDiagram.Render(model),
            ["problems"] = Problems(model),
            ["data"] = Data(model),
        };
        // One pass over the template only: text inserted from the log is never scanned for placeholders.
        return Placeholder().Replace(Resource("trace.html"), m => parts[m.Groups[1].Value]);
    }

    [GeneratedRegex(@"\{\{(title|css|js|summary|svg|problems|data)\}\}")]
    private static partial Regex Placeholder();

    private static string Summary(TraceModel model)
    {
        var causal = model.Arrows.Count(a => a.Kind == ArrowKind.Causal);
        var dependsOn = model.Arrows.Count(a => a.Kind == ArrowKind.DependsOn);
        var speculative = model.Nodes.Count(n => n.IsSpeculative);
        var rejected = model.Report.Rejected.Count + model.Report.Undeliverable.Count;
        var rounds = model.Nodes.Select(n => n.Event.Round).Where(r => r is not null).Distinct().Count();
        return $"<span><b>{model.Nodes.Count}</b> events</span><span><b>{model.Roster.Count}</b> actors</span>"
            + $"<span><b>{causal}</b> causal arrows</span><span><b>{dependsOn}</b> depends_on arrows</span>"
            + $"<span><b>{speculative}</b> speculative</span><span><b>{model.Report.ConcurrentPairs().Count()}</b> concurrent pairs</span>"
            + (rounds > 0 ? $"<span><b>{rounds}</b> rounds</span>" : "")
            + (rejected > 0 ? $"<span class=\"bad\"><b>{rejected}</b> rejected lines</span>" : "");
    }

    private static string Problems(TraceModel model)
    {
        var report = model.Report;
        if (report.Rejected.Count == 0 && report.Undeliverable.Count == 0)
        {
            return "";
        }
        var html = new StringBuilder("<section id=\"rejected\"><h2>Rejected lines</h2><ul>\n");
        foreach (var r in report.Rejected)
        {
            html.Append($"<li class=\"rejected-line\">line {r.Line}{(r.EventId is null ? "" : $" <code>{Encode(r.EventId)}</code>")}: {Encode(r.Reason)}</li>\n");
        }
        foreach (var (id, line, reason) in report.Undeliverable)
        {
            html.Append($"<li class=\"rejected-line\">line {line} <code>{Encode(id)}</code> is undeliverable: {Encode(reason)}</li>\n");
        }
        return html.Append("</ul></section>").ToString();
    }

    private static string Data(TraceModel model)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.Default }))
        {
            w.WriteStartObject();
            w.WriteStartArray("actors");
            foreach (var actor in model.Roster.Members)
            {
                w.WriteStringValue(actor);
            }
            w.WriteEndArray();
            w.WriteStartArray("events");
            foreach (var node in model.Nodes)
            {
                w.WriteStartObject();
                w.WriteString("id", node.Event.EventId);
                w.WriteNumber("lane", node.Lane);
                w.WriteStartArray("clock");
                foreach (var entry in node.Event.Clock.Entries)
                {
                    w.WriteNumberValue(entry);
                }
                w.WriteEndArray();
                w.WriteString("json", node.Event.ToString());
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Resource(string name)
    {
        using var stream = typeof(HtmlPage).Assembly.GetManifestResourceStream("Murmur.Cli.Trace." + name)
            ?? throw new InvalidOperationException($"The embedded resource '{name}' is missing from Murmur.Cli.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
