using System.Text.Json;
using Murmur.Mcp;

namespace Murmur.Cli.Commands;

/// <summary>
/// <c>murmur tool list --mcp COMMAND_OR_URL</c> and <c>murmur tool run NAME --mcp COMMAND_OR_URL [--args JSON]</c>:
/// the tools of one MCP server, listed or run once (the server is started for the command and stopped after it).
/// </summary>
internal static class McpToolRun
{
    public static bool Applies(IReadOnlyList<string> args) => args.Contains("--mcp");

    public static int List(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        string? target = null;
        for (var i = 1; i < args.Count; i++)
        {
            target = args[i] == "--mcp" && target is null && i + 1 < args.Count ? args[++i]
                : throw new UsageException(args[i] == "--mcp" ? "--mcp needs one value (a command line or a URL)" : $"'tool list --mcp' takes no other argument; got '{args[i]}'");
        }
        return WithSource(target!, stderr, async source =>
        {
            foreach (var tool in source.Tools.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                var kind = tool.IsReadOnly ? "read-only" : tool.IsDestructive ? "side-effecting (destructive)" : "side-effecting";
                await stdout.WriteLineAsync($"{tool.Name,-28} {kind,-29} {OneLine(tool.Description)}");
            }
            return ExitCodes.Ok;
        });
    }

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        string? name = null, target = null, json = null;
        for (var i = 1; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--mcp" or "--args":
                    var option = args[i];
                    var value = i + 1 < args.Count ? args[++i] : throw new UsageException($"{option} needs a value");
                    if ((option == "--mcp" ? target : json) is not null)
                    {
                        throw new UsageException($"{option} was given twice");
                    }
                    _ = option == "--mcp" ? target = value : json = value;
                    break;
                case var a when a.StartsWith('-'):
                    throw new UsageException($"unknown option '{a}' (with --mcp: NAME, --mcp and --args)");
                default:
                    name = name is null ? args[i] : throw new UsageException($"only one tool NAME is accepted; got '{name}' and '{args[i]}'");
                    break;
            }
        }
        if (name is null)
        {
            throw new UsageException("missing tool NAME");
        }
        var arguments = ToolCommand.ParseArguments(json ?? "{}");
        return WithSource(target!, stderr, async source =>
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
