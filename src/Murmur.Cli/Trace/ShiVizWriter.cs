using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Murmur.Causality;

namespace Murmur.Cli.Trace;

/// <summary>
/// Writes a <see cref="TraceModel"/> in the log format ShiViz loads from a file: the parser regex, an empty
/// line (no multiple-execution delimiter), then two lines per event: <c>HOST {"A":1,"B":2}</c> and a description.
/// </summary>
internal static class ShiVizWriter
{
    /// <summary>The parser regex on the first line.</summary>
    public const string Header = """(?<host>\S*) (?<clock>{.*})\n(?<event>.*)""";

    private const int MaxPayload = 100;
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>The whole file's text, lines ended by <c>\n</c>.</summary>
    public static string Write(TraceModel model)
    {
        var text = new StringBuilder();
        text.Append(Header).Append('\n').Append('\n');
        foreach (var node in model.Nodes)
        {
            var e = node.Event;
            text.Append(Host(e.Actor)).Append(' ').Append(Clock(model.Roster, e.Clock)).Append('\n');
            text.Append(EventText.OneLine(e.Action)).Append(' ').Append(EventText.OneLine(e.EventId)).Append(' ')
                .Append(EventText.ShortPayload(e, MaxPayload)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>An actor name as a ShiViz host: white space (which would end <c>\S*</c>) becomes <c>_</c>.</summary>
    public static string Host(string actor)
        => string.Create(actor.Length, actor, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = char.IsWhiteSpace(s[i]) || char.IsControl(s[i]) ? '_' : s[i];
            }
        });

    private static string Clock(Roster roster, VectorClock clock)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = Encoder }))
        {
            w.WriteStartObject();
            for (var i = 0; i < clock.Length && i < roster.Count; i++)
            {
                if (clock[i] != 0)
                {
                    w.WriteNumber(Host(roster[i]), clock[i]);
                }
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
