using Murmur.Mcp;
using YamlDotNet.RepresentationModel;

namespace Murmur.Cli.Scenarios;

/// <summary>
/// The <c>mcp:</c> section of a scenario: <c>NAME: COMMAND_OR_URL</c>, or <c>NAME: {command, args, url, prefix,
/// read_only, side_effecting}</c>. Stdio servers run in the scenario file's folder.
/// </summary>
internal static class ScenarioMcp
{
    private static readonly string[] ServerKeys = ["command", "args", "url", "prefix", "read_only", "side_effecting"];

    public static IReadOnlyList<McpServerSpec> Parse(YamlNode? section, string baseDir, Func<YamlNode, string, ScenarioException> error)
    {
        if (section is null)
        {
            return [];
        }
        if (section is not YamlMappingNode servers || servers.Children.Count == 0)
        {
            throw error(section, "mcp: a mapping of server names to a command line or URL, e.g. 'fs: npx -y @modelcontextprotocol/server-filesystem .'.");
        }
        var specs = new List<McpServerSpec>();
        foreach (var (key, value) in servers.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            var field = $"mcp.{name}";
            McpServerSpec spec;
            try
            {
                spec = value switch
                {
                    YamlScalarNode { Value: { Length: > 0 } target } => McpServerSpec.FromTarget(name, target),
                    YamlMappingNode map => FromMapping(name, map, field, error),
                    _ => throw error(value, $"{field}: a command line, a URL, or a mapping with 'command' or 'url'."),
                };
            }
            catch (FormatException ex)
            {
                throw error(key, $"{field}: {ex.Message}");
            }
            specs.Add(spec.IsStdio ? spec with { WorkingDirectory = baseDir } : spec);
        }
        return specs;
    }

    private static McpServerSpec FromMapping(string name, YamlMappingNode map, string field, Func<YamlNode, string, ScenarioException> error)
    {
        ScenarioParser.CheckKeys(error, map, ServerKeys, field);
        var command = Scalar(map, "command", field, error);
        var url = Scalar(map, "url", field, error);
        if ((command is null) == (url is null))
        {
            throw error(map, $"{field}: exactly one of 'command' and 'url' is required.");
        }
        var spec = McpServerSpec.FromTarget(name, url ?? command!);
        if (command is not null && List(map, "args", field, error) is { } args)
        {
            spec = spec with { Arguments = [.. spec.Arguments, .. args] };
        }
        return spec with
        {
            ToolPrefix = Scalar(map, "prefix", field, error) ?? string.Empty,
            ReadOnlyTools = List(map, "read_only", field, error) ?? [],
            SideEffectingTools = List(map, "side_effecting", field, error) ?? [],
        };
    }

    private static string? Scalar(YamlMappingNode map, string key, string field, Func<YamlNode, string, ScenarioException> error)
        => ScenarioParser.Find(map, key) switch
        {
            null => null,
            YamlScalarNode { Value: { Length: > 0 } value } => value,
            var node => throw error(node, $"{field}.{key}: a non-empty text is required."),
        };

    private static List<string>? List(YamlMappingNode map, string key, string field, Func<YamlNode, string, ScenarioException> error)
    {
        if (ScenarioParser.Find(map, key) is not { } node)
        {
            return null;
        }
        if (node is not YamlSequenceNode items || items.Children.Any(c => c is not YamlScalarNode { Value.Length: > 0 }))
        {
            throw error(node, $"{field}.{key}: a list of names, e.g. [read_file, search].");
        }
        return [.. items.Children.Select(c => ((YamlScalarNode)c).Value!)];
    }
}
