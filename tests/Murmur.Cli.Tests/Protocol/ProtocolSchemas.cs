using System.Text.Json;
using Json.Schema;
using Murmur.Events;

namespace Murmur.Cli.Tests.Protocol;

/// <summary>The JSON Schemas of docs/protocol/schema: the envelope, and each built-in action's payload by its name.</summary>
internal static class ProtocolSchemas
{
    private static readonly Lazy<Dictionary<string, JsonSchema>> Schemas = new(() =>
        Directory.EnumerateFiles(Path.Combine(ProtocolFiles.Directory, "schema"), "*.json")
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => JsonSchema.FromText(File.ReadAllText(f)), StringComparer.Ordinal));

    /// <summary>True when <paramref name="action"/> has a payload schema.</summary>
    public static bool Has(string action) => action != "envelope" && Schemas.Value.ContainsKey(action);

    /// <summary>What is wrong with one event: its envelope, then its payload by its action (nothing for actions without a schema).</summary>
    public static List<string> Errors(JsonElement e)
    {
        var errors = new List<string>();
        void Check(string name, JsonElement value, string what)
        {
            var result = Schemas.Value[name].Evaluate(value, new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (!result.IsValid)
            {
                errors.Add($"{what} fails {name}.json: {JsonSerializer.Serialize(result)}");
            }
        }
        Check("envelope", e, "the envelope");
        var action = e.GetProperty("action").GetString()!;
        if (Has(action))
        {
            Check(action, e.TryGetProperty("payload", out var payload) ? payload : JsonDocument.Parse("{}").RootElement, $"the payload of {action} {e.GetProperty("event_id").GetString()}");
        }
        return errors;
    }

    /// <summary>What is wrong with one event (see <see cref="Errors(JsonElement)"/>).</summary>
    public static List<string> Errors(AgentEvent e) => Errors(JsonDocument.Parse(e.ToString()).RootElement);
}
