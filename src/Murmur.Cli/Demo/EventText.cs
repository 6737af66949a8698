using System.Text.Json;
using Murmur.AI.Events;
using Murmur.Events;

namespace Murmur.Cli.Demo;

/// <summary>One short line per event for people.</summary>
internal static class EventText
{
    public static string Describe(AgentEvent e)
    {
        try
        {
            var p = e.GetPayload();
            return e.Action switch
            {
                AiActions.ToolCall => $"{Str(p, "tool")} {Compact(p.TryGetProperty("args", out var a) ? a : default)}",
                AiActions.ToolResult => $"{Str(p, "tool")} {(p.TryGetProperty("ok", out var ok) && ok.GetBoolean() ? "ok" : "error")} in {Num(p, "elapsed_us")} µs (local)",
                AiActions.Finding => Str(p, "summary"),
                Actions.Retract => $"withdraws {Str(p, "event_id")}: {Str(p, "reason")}",
                AiActions.Proposal => (Str(p, "path") is { Length: > 0 } path ? $"fix for {path}:{Num(p, "line")}" : Str(p, "summary")) + (e.DependsOn.Count > 0 ? " (speculative)" : string.Empty),
                "REVIEW" => $"{Str(p, "verdict")} {Str(p, "path")}:{Num(p, "line")}" + (e.DependsOn.Count > 0 ? " (speculative)" : string.Empty),
                Actions.SpeculationCommit => $"commit {Str(p, "speculation")}",
                Actions.SpeculationAbort => $"abort {Str(p, "speculation")}: {Str(p, "reason")}",
                Actions.Message => Str(p, "text"),
                Actions.RoundDone => $"round {Num(p, "round")} done",
                Actions.Join => "joins",
                Actions.TaskComplete => "task complete",
                _ => Compact(p),
            };
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return e.Action;
        }
    }

    private static string Str(JsonElement p, string name)
        => p.ValueKind == JsonValueKind.Object && p.TryGetProperty(name, out var v) ? v.ToString() : string.Empty;

    private static string Num(JsonElement p, string name) => Str(p, name);

    private static string Compact(JsonElement value)
    {
        var text = value.ValueKind == JsonValueKind.Undefined ? string.Empty : value.GetRawText();
        return text.Length > 80 ? text[..77] + "..." : text;
    }
}
