using System.CommandLine;
using Murmur.Mcp;

namespace Murmur.Cli.Commands;

/// <summary><c>murmur mcp serve --root DIR [--allow-writes]</c>: Murmur's sandboxed tools as an MCP server on stdio.</summary>
internal sealed class McpCommand : ICommand
{
    public Command Build()
    {
        var root = new Option<string>("--root") { HelpName = "DIR", Description = "the folder the tools may read (and, with --allow-writes, patch)", Required = true };
        var allowWrites = new Option<bool>("--allow-writes") { Description = "also serve apply_patch" };
        var serve = new MurmurCommand("serve", "serve the built-in tools confined to DIR over MCP on stdin/stdout") { Options = { root, allowWrites } };
        serve.SetRun((parse, _, _) => Serve(parse.GetValue(root)!, parse.GetValue(allowWrites)));
        return new MurmurCommand("mcp", "serve the built-in tools, confined to a folder, as an MCP server on stdio") { Details = """
                Serves the built-in tools over the Model Context Protocol on stdin/stdout, for any MCP client (an IDE, an
                agent framework, the MCP inspector). Every path is confined to DIR by the same guard Murmur's agents use:
                no path, link or hard link leads out of it. Read-only by default (grep_search, read_file, list_files,
                propose_patch, annotated readOnlyHint); --allow-writes adds apply_patch (annotated destructiveHint).
                Nothing but MCP messages is written to stdout. Stops when the client closes the connection.

                client configuration (e.g. Claude Desktop, VS Code):
                  { "command": "murmur", "args": ["mcp", "serve", "--root", "/path/to/repo"] }

                exit codes: 0 the client disconnected, 1 the server failed, 2 usage error (e.g. a missing root).
                """, Subcommands = { serve } };
    }

    private static int Serve(string root, bool allowWrites)
    {
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
