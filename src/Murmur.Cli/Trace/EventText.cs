using System.Text.Encodings.Web;
using System.Text.Json;
using Murmur.Events;

namespace Murmur.Cli.Trace;

/// <summary>Short texts about an event: its diagram label and a one-line description.</summary>
internal static class EventText
{
    private const int MaxLabel = 16;
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The label drawn next to the mark: the action, shortened for the long well-known ones.</summary>
    public static string Label(AgentEvent e) => e.Action switch
    {
        Actions.SpeculationCommit => "COMMIT",
        Actions.SpeculationAbort => "ABORT",
        Actions.TaskComplete => "DONE",
        _ => e.Action.Length <= MaxLabel ? e.Action : e.Action[..(MaxLabel - 1)] + "…",
    };

    /// <summary>The payload as compact one-line JSON, cut to <paramref name="max"/> characters.</summary>
    public static string ShortPayload(AgentEvent e, int max)
    {
        string text;
        try
        {
            text = JsonSerializer.Serialize(e.GetPayload(), Compact);
        }
        catch (JsonException)
        {
            text = "?";
        }
        text = OneLine(text);
        return text.Length <= max ? text : text[..(max - 1)] + "…";
    }

    /// <summary>Replaces control characters (line breaks included) by spaces.</summary>
    public static string OneLine(string text)
        => string.Create(text.Length, text, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? ' ' : s[i];
            }
        });
}
