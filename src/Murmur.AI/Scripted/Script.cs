using System.Text.Json;
using Murmur.AI.Agents;

namespace Murmur.AI.Scripted;

/// <summary>
/// A parsed script: <c>{"steps":[…]}</c> or a bare array of steps. A step is
/// <c>{"when":{"seen_action"|"tool_result_contains"|"message_contains":…}, "text":…,
/// "tool_calls":[{"tool":…,"args":{…}}], "publish":{"action":…,"payload":{…}} or […], "repeat":false}</c>.
/// </summary>
public sealed class Script
{
    private static readonly HashSet<string> StepFields = new(["when", "text", "tool_calls", "publish", "repeat"], StringComparer.Ordinal);
    private static readonly HashSet<string> WhenFields = new(["seen_action", "tool_result_contains", "message_contains"], StringComparer.Ordinal);

    private Script(IReadOnlyList<ScriptStep> steps) => Steps = steps;

    /// <summary>The steps in order.</summary>
    public IReadOnlyList<ScriptStep> Steps { get; }

    /// <summary>Reads a script file.</summary>
    /// <exception cref="ScriptException">The script is malformed; the message names the file and the line or step and field.</exception>
    public static Script Load(string file)
    {
        try
        {
            return Parse(File.ReadAllText(file));
        }
        catch (ScriptException ex)
        {
            throw new ScriptException($"script '{file}': {ex.Message}", ex);
        }
    }

    /// <summary>Parses a script.</summary>
    /// <exception cref="ScriptException">The script is malformed; the message names the line or the step and field.</exception>
    public static Script Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new ScriptException($"invalid JSON at line {(ex.LineNumber ?? 0) + 1}, position {(ex.BytePositionInLine ?? 0) + 1}: {ex.Message}", ex);
        }
        using (document)
        {
            var root = document.RootElement;
            var steps = root.ValueKind switch
            {
                JsonValueKind.Array => root,
                JsonValueKind.Object when root.TryGetProperty("steps", out var s) && s.ValueKind == JsonValueKind.Array => s,
                _ => throw new ScriptException("a script is an array of steps or an object with a \"steps\" array"),
            };
            var parsed = new List<ScriptStep>();
            foreach (var step in steps.EnumerateArray())
            {
                parsed.Add(ParseStep(parsed.Count + 1, step));
            }
            if (parsed.Count == 0)
            {
                throw new ScriptException("the script has no steps");
            }
            return new Script(parsed);
        }
    }

    private static ScriptStep ParseStep(int n, JsonElement step)
    {
        if (step.ValueKind != JsonValueKind.Object)
        {
            throw Error(n, null, $"must be an object, found {step.ValueKind}");
        }
        foreach (var p in step.EnumerateObject())
        {
            if (!StepFields.Contains(p.Name))
            {
                throw Error(n, p.Name, $"is not a step field; known: {string.Join(", ", StepFields)}");
            }
        }
        var text = OptionalString(n, step, "text");
        var repeat = step.TryGetProperty("repeat", out var r) && (r.ValueKind is JsonValueKind.True or JsonValueKind.False ? r.GetBoolean() : throw Error(n, "repeat", "must be true or false"));
        ScriptCondition? when = null;
        if (step.TryGetProperty("when", out var w))
        {
            if (w.ValueKind != JsonValueKind.Object)
            {
                throw Error(n, "when", "must be an object such as {\"seen_action\":\"FINDING\"}");
            }
            foreach (var p in w.EnumerateObject())
            {
                if (!WhenFields.Contains(p.Name))
                {
                    throw Error(n, "when." + p.Name, $"is not a condition; known: {string.Join(", ", WhenFields)}");
                }
                if (p.Value.ValueKind != JsonValueKind.String || p.Value.GetString()!.Length == 0)
                {
                    throw Error(n, "when." + p.Name, "must be a non-empty string");
                }
            }
            when = new ScriptCondition(OptionalString(n, w, "seen_action"), OptionalString(n, w, "tool_result_contains"), OptionalString(n, w, "message_contains"));
        }
        var calls = new List<ScriptToolCall>();
        if (step.TryGetProperty("tool_calls", out var tc))
        {
            if (tc.ValueKind != JsonValueKind.Array)
            {
                throw Error(n, "tool_calls", "must be an array of {\"tool\":…,\"args\":{…}}");
            }
            var k = 0;
            foreach (var call in tc.EnumerateArray())
            {
                var field = $"tool_calls[{k++}]";
                if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("tool", out var tool) || tool.ValueKind != JsonValueKind.String || tool.GetString()!.Length == 0)
                {
                    throw Error(n, field + ".tool", "is required and must be a non-empty string");
                }
                var args = call.TryGetProperty("args", out var a) ? a : default;
                if (args.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined))
                {
                    throw Error(n, field + ".args", "must be an object");
                }
                calls.Add(new ScriptToolCall(tool.GetString()!, args.ValueKind == JsonValueKind.Undefined ? EmptyObject() : args.Clone()));
            }
        }
        var publish = new List<PublishRequest>();
        if (step.TryGetProperty("publish", out var pub))
        {
            var items = pub.ValueKind == JsonValueKind.Array ? pub.EnumerateArray().ToList() : [pub];
            foreach (var item in items)
            {
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("action", out var action) || action.ValueKind != JsonValueKind.String || action.GetString()!.Length == 0)
                {
                    throw Error(n, "publish.action", "is required and must be a non-empty string");
                }
                var payload = item.TryGetProperty("payload", out var pl) ? pl.Clone() : EmptyObject();
                publish.Add(new PublishRequest(action.GetString()!, payload));
            }
        }
        if (text is null && calls.Count == 0)
        {
            throw Error(n, "text", "a step needs \"text\" or \"tool_calls\"");
        }
        return new ScriptStep(n, when, text, calls, publish, repeat);
    }

    private static string? OptionalString(int n, JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Error(n, name, $"must be a string, found {value.ValueKind}");
    }

    private static JsonElement EmptyObject() => JsonDocument.Parse("{}").RootElement.Clone();

    private static ScriptException Error(int step, string? field, string problem)
        => new(field is null ? $"step {step}: {problem}" : $"step {step}, field '{field}': {problem}");
}
