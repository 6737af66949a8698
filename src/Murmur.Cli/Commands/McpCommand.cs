using Murmur.Mcp;

namespace Murmur.Cli.Commands;

/// <summary><c>murmur mcp serve --root DIR [--allow-writes]</c>: Murmur's sandboxed tools as an MCP server on stdio.</summary>
internal sealed class McpCommand : ICommand
{
    public string Name => "mcp";

    public string Summary => "serve the built-in tools, confined to a folder, as an MCP server on stdio";

    public string Usage => """
        usage: murmur mcp serve --root DIR [--allow-writes]

        Serves the built-in tools over the Model Context Protocol on stdin/stdout, for any MCP client (an IDE, an
        agent framework, the MCP inspector). Every path is confined to DIR by the same guard Murmur's agents use:
        no path, link or hard link leads out of it. Read-only by default (grep_search, read_file, list_files,
        propose_patch, annotated readOnlyHint); --allow-writes adds apply_patch (annotated destructiveHint).
        Nothing but MCP messages is written to stdout. Stops when the client closes the connection.

        options:
          --root DIR       the folder the tools may read (and, with --allow-writes, patch)
          --allow-writes   also serve apply_patch
          -h, --help       print this help.

        client configuration (e.g. Claude Desktop, VS Code):
          { "command": "murmur", "args": ["mcp", "serve", "--root", "/path/to/repo"] }

        exit codes: 0 the client disconnected, 1 the server failed, 2 usage error (e.g. a missing root).

        """;

    public int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Count == 0 || args[0] != "serve")
        {
            throw new UsageException("the only sub-command is 'serve'.");
        }
        string? root = null;
        var allowWrites = false;
        for (var i = 1; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--root": root = i + 1 < args.Count ? args[++i] : throw new UsageException("--root needs a value."); break;
                case "--allow-writes": allowWrites = true; break;
                default: throw new UsageException($"unknown option '{args[i]}'.");
            }
        }
        if (root is null)
        {
            throw new UsageException("--root DIR is required (the folder the tools are confined to).");
        }
        if (!Directory.Exists(root))
        {
            throw new UsageException($"the root folder '{root}' does not exist.");
        }
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        try
        {
            MurmurMcpServer.RunStdioAsync(MurmurMcpServer.SandboxedTools(root, allowWrites), cancellationToken: stop.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        return ExitCodes.Ok;
    }
}
