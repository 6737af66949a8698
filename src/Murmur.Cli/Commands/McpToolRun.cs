using System.Text.Json;
using Murmur.Mcp;

namespace Murmur.Cli.Commands;

/// <summary>
/// <c>murmur tool list --mcp COMMAND_OR_URL</c> and <c>murmur tool run NAME --mcp COMMAND_OR_URL [--args JSON]</c>:
/// the tools of one MCP server, listed or run once (the server is started for the command and stopped after it).
/// </summary>
internal static class McpToolRun
{
    public static int List(string target, TextWriter stdout, TextWriter stderr)
        => WithSource(target, stderr, async source =>
        {
            foreach (var tool in source.Tools.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                var kind = tool.IsReadOnly ? "read-only" : tool.IsDestructive ? "side-effecting (destructive)" : "side-effecting";
                await stdout.WriteLineAsync($"{tool.Name,-28} {kind,-29} {OneLine(tool.Description)}");
            }
            return ExitCodes.Ok;
        });

    public static int Run(string name, string target, string json, TextWriter stdout, TextWriter stderr)
    {
        var arguments = ToolCommand.ParseArguments(json);
        return WithSource(target, stderr, async source =>
        {
            var tool = source.Tools.FirstOrDefault(t => t.Name == name)
                ?? throw new ArgumentException($"the MCP server has no tool '{name}'; its tools: {string.Join(", ", source.Tools.Select(t => t.Name))}");
            var result = await tool.InvokeAsync(arguments);
            await stdout.WriteLineAsync(JsonSerializer.Serialize(result, ToolCommand.Output));
            return ExitCodes.Ok;
        });
    }

    private static int WithSource(string target, TextWriter stderr, Func<McpToolSource, Task<int>> use)
    {
        McpServerSpec spec;
        try
        {
            spec = McpServerSpec.FromTarget("mcp", target);
        }
        catch (FormatException ex)
        {
            throw new UsageException(ex.Message);
        }
        return RunAsync().GetAwaiter().GetResult();

        async Task<int> RunAsync()
        {
            try
            {
                await using var source = await McpToolSource.ConnectAsync(spec);
                return await use(source);
            }
            catch (Exception ex) when (ex is McpToolException or ArgumentException)
            {
                await stderr.WriteLineAsync($"murmur tool: {ex.Message}");
                return ExitCodes.Failed;
            }
        }
    }

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length > 100 ? line[..99] + "…" : line;
    }
}
