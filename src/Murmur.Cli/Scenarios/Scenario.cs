using Murmur.Topics;

namespace Murmur.Cli.Scenarios;

/// <summary>A user-defined run: one topic, its mode, the tools' root, MCP servers whose tools join the built-in ones, and model-driven agents.</summary>
internal sealed record Scenario(string Topic, Consistency Mode, string Root, IReadOnlyList<ScenarioAgent> Agents, TimeSpan Timeout, IReadOnlyList<Murmur.Mcp.McpServerSpec>? Mcp = null);

/// <summary>One agent of a scenario.</summary>
internal sealed record ScenarioAgent(string Id, string Model, string? Endpoint, string? Goal, IReadOnlyList<string> Tools, int MaxIterations, long? MaxTokens, TimeSpan? MaxWallTime);
