using System.Globalization;
using Murmur.Agents;
using Murmur.Logs;
using Murmur.Topics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Murmur.Cli.Scenarios;

/// <summary>
/// Reads a scenario YAML file and validates it; every error names the file, the line and column, the field and the rule:
/// <code>
/// topic: fix-auth-token
/// mode: eventual               # eventual | strict
/// root: .                      # the tools' root, relative to this file
/// timeout_seconds: 120
/// mcp:                          # optional: MCP servers whose tools the agents may list in 'tools'
///   fs: npx -y @modelcontextprotocol/server-filesystem .    # NAME: COMMAND (stdio, run in this file's folder) or URL
///   web: { url: http://localhost:3001/mcp, prefix: web_, read_only: [fetch], side_effecting: [post] }
/// agents:
///   - id: Researcher_Agent_1
///     model: scripted:researcher.json   # scripted:FILE | openai:MODEL | ollama:MODEL
///     endpoint: http://…        # optional, for openai/ollama
///     goal: Find auth_token leaks under services/api
///     tools: [grep_search, read_file]
///     budget: { iterations: 15, tokens: 20000, seconds: 120 }
/// </code>
/// </summary>
internal static class ScenarioParser
{
    private static readonly string[] KnownTools = ["grep_search", "read_file", "list_files", "propose_patch", "apply_patch"];
    private static readonly string[] TopKeys = ["topic", "mode", "root", "timeout_seconds", "mcp", "agents"];
    private static readonly string[] AgentKeys = ["id", "model", "endpoint", "goal", "tools", "budget"];
    private static readonly string[] BudgetKeys = ["iterations", "tokens", "seconds"];

    public static Scenario Parse(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ScenarioException($"{path}: cannot read the scenario: {ex.Message}");
        }
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new ScenarioException($"{path}:{ex.Start.Line}:{ex.Start.Column}: not valid YAML: {ex.InnerException?.Message ?? ex.Message}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ScenarioException($"{path}:1:1: a scenario is a mapping with 'topic', 'mode', 'agents'.");
        }
        var where = new Where(path);
        CheckKeys(where, root, TopKeys, "the scenario");
        var topic = RequiredString(where, root, "topic");
        if (TopicName.Check(topic.Value) is { } bad)
        {
            throw where.Error(topic.Node, $"topic: {bad}.");
        }
        var mode = OptionalString(where, root, "mode")?.Value ?? "eventual";
        if (mode is not ("eventual" or "strict"))
        {
            throw where.Error(Find(root, "mode")!, $"mode: '{mode}' is not a mode; use eventual or strict.");
        }
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var rootDir = Path.GetFullPath(Path.Combine(baseDir, OptionalString(where, root, "root")?.Value ?? "."));
        if (!Directory.Exists(rootDir))
        {
            throw where.Error(Find(root, "root") ?? root, $"root: the folder '{rootDir}' does not exist.");
        }
        var timeout = TimeSpan.FromSeconds(OptionalInt(where, root, "timeout_seconds", 1, 3600) ?? 120);
        if (Find(root, "agents") is not YamlSequenceNode agentsNode || agentsNode.Children.Count == 0)
        {
            throw where.Error(Find(root, "agents") ?? root, "agents: a non-empty list of agents is required.");
        }
        var mcp = ScenarioMcp.Parse(Find(root, "mcp"), baseDir, (node, message) => where.Error(node, message));
        var agents = new List<ScenarioAgent>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < agentsNode.Children.Count; i++)
        {
            var field = $"agents[{i}]";
            if (agentsNode.Children[i] is not YamlMappingNode agent)
            {
                throw where.Error(agentsNode.Children[i], $"{field}: an agent is a mapping with 'id' and 'model'.");
            }
            CheckKeys(where, agent, AgentKeys, field);
            var id = RequiredString(where, agent, "id", field);
            try
            {
                AgentId.Of(id.Value);
            }
            catch (ArgumentException ex)
            {
                throw where.Error(id.Node, $"{field}.id: {ex.Message}");
            }
            if (!ids.Add(id.Value))
            {
                throw where.Error(id.Node, $"{field}.id: '{id.Value}' is used by another agent; ids are unique.");
            }
            var model = RequiredString(where, agent, "model", field);
            var spec = model.Value;
            if (!(spec.StartsWith("scripted:", StringComparison.Ordinal) || spec.StartsWith("openai:", StringComparison.Ordinal) || spec.StartsWith("ollama:", StringComparison.Ordinal)))
            {
                throw where.Error(model.Node, $"{field}.model: '{spec}' is not scripted:FILE, openai:MODEL or ollama:MODEL.");
            }
            if (spec.StartsWith("scripted:", StringComparison.Ordinal))
            {
                var script = Path.GetFullPath(Path.Combine(baseDir, spec["scripted:".Length..]));
                if (!File.Exists(script))
                {
                    throw where.Error(model.Node, $"{field}.model: the script '{script}' does not exist.");
                }
                spec = "scripted:" + script;
            }
            var tools = new List<string>();
            if (Find(agent, "tools") is { } toolsNode)
            {
                if (toolsNode is not YamlSequenceNode toolList)
                {
                    throw where.Error(toolsNode, $"{field}.tools: a list of tool names, e.g. [grep_search, read_file].");
                }
                foreach (var t in toolList.Children)
                {
                    var name = (t as YamlScalarNode)?.Value ?? string.Empty;
                    // With MCP servers, their tools are known only once they started: 'murmur run' checks those names then.
                    if (!KnownTools.Contains(name) && (mcp.Count == 0 || name.Length == 0))
                    {
                        throw where.Error(t, $"{field}.tools: unknown tool '{name}'; known: {string.Join(", ", KnownTools)}{(mcp.Count == 0 ? "" : " and the tools of the mcp servers")}.");
                    }
                    tools.Add(name);
                }
            }
            int iterations = 15;
            long? tokens = null;
            TimeSpan? seconds = null;
            if (Find(agent, "budget") is { } budgetNode)
            {
                if (budgetNode is not YamlMappingNode budget)
                {
                    throw where.Error(budgetNode, $"{field}.budget: a mapping of iterations, tokens, seconds.");
                }
                CheckKeys(where, budget, BudgetKeys, field + ".budget");
                iterations = OptionalInt(where, budget, "iterations", 1, 1000, field + ".budget") ?? 15;
                tokens = OptionalInt(where, budget, "tokens", 1, int.MaxValue, field + ".budget");
                seconds = OptionalInt(where, budget, "seconds", 1, 86_400, field + ".budget") is { } s ? TimeSpan.FromSeconds(s) : null;
            }
            agents.Add(new ScenarioAgent(id.Value, spec, OptionalString(where, agent, "endpoint", field)?.Value, OptionalString(where, agent, "goal", field)?.Value, tools, iterations, tokens, seconds));
        }
        return new Scenario(topic.Value, mode == "strict" ? Consistency.Strict : Consistency.Eventual, rootDir, agents, timeout, mcp);
    }

    private sealed class Where(string path)
    {
        public ScenarioException Error(YamlNode node, string message)
            => new($"{path}:{node.Start.Line}:{node.Start.Column}: {message}");
    }

    internal static YamlNode? Find(YamlMappingNode map, string key)
        => map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: var k } && k == key).Value;

    internal static void CheckKeys(Func<YamlNode, string, ScenarioException> error, YamlMappingNode map, string[] known, string what)
    {
        foreach (var key in map.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (!known.Contains(name))
            {
                throw error(key, $"{what}: unknown field '{name}'; known: {string.Join(", ", known)}.");
            }
        }
    }

    private static void CheckKeys(Where where, YamlMappingNode map, string[] known, string what)
    {
        foreach (var key in map.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (!known.Contains(name))
            {
                throw where.Error(key, $"{what}: unknown field '{name}'; known: {string.Join(", ", known)}.");
            }
        }
    }

    private static (string Value, YamlNode Node) RequiredString(Where where, YamlMappingNode map, string key, string? parent = null)
    {
        var value = OptionalString(where, map, key, parent);
        return value ?? throw where.Error(map, $"{(parent is null ? key : parent + "." + key)}: required.");
    }

    private static (string Value, YamlNode Node)? OptionalString(Where where, YamlMappingNode map, string key, string? parent = null)
    {
        if (Find(map, key) is not { } node)
        {
            return null;
        }
        if (node is not YamlScalarNode { Value: { Length: > 0 } value })
        {
            throw where.Error(node, $"{(parent is null ? key : parent + "." + key)}: a non-empty text is required.");
        }
        return (value, node);
    }

    private static int? OptionalInt(Where where, YamlMappingNode map, string key, int min, int max, string? parent = null)
    {
        if (Find(map, key) is not { } node)
        {
            return null;
        }
        if (node is YamlScalarNode { Value: { } text } && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }
        throw where.Error(node, $"{(parent is null ? key : parent + "." + key)}: a whole number from {min} to {max} is required.");
    }
}
