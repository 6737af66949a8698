using System.CommandLine;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Murmur.AI.Tools;

namespace Murmur.Cli.Commands;

/// <summary>
/// <c>murmur tool run NAME --root DIR [--args JSON]</c>: runs one built-in tool (see <see cref="BuiltInTools"/>)
/// confined to DIR and prints its JSON result; <c>murmur tool list</c> names the tools.
/// </summary>
internal sealed class ToolCommand : ICommand
{
    internal static readonly JsonSerializerOptions Output = new(AIJsonUtilities.DefaultOptions)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public Command Build()
    {
        var runName = new Argument<string>("NAME") { Description = "the tool" }.RefusingOptions();
        var root = new Option<string>("--root") { HelpName = "DIR", Description = "the folder the built-in tool is confined to" };
        var runMcp = new Option<string>("--mcp") { HelpName = "COMMAND_OR_URL", Description = "run a tool of this MCP server instead of a built-in one" };
        var runArgs = ArgsOption();
        var run = new MurmurCommand("run", "run a built-in tool confined to DIR (or a tool of an MCP server) and print its JSON result")
        {
            Arguments = { runName },
            Options = { root, runMcp, runArgs },
        };
        run.SetRun((parse, stdout, stderr) => parse.GetValue(runMcp) is { } target
            ? parse.GetResult(root) is null
                ? McpToolRun.Run(parse.GetValue(runName)!, target, parse.GetValue(runArgs)!, stdout, stderr)
                : throw new UsageException("give --root (a built-in tool) or --mcp (a tool of an MCP server), not both")
            : RunBuiltIn(parse.GetValue(runName)!, parse.GetValue(root), parse.GetValue(runArgs)!, stdout, stderr));

        var listMcp = new Option<string>("--mcp") { HelpName = "COMMAND_OR_URL", Description = "list the tools of this MCP server instead of the built-in ones" };
        var list = new MurmurCommand("list", "print the tools, one per line: name and description") { Options = { listMcp } };
        list.SetRun((parse, stdout, stderr) => parse.GetValue(listMcp) is { } target ? McpToolRun.List(target, stdout, stderr) : ListBuiltIn(stdout));

        var command = new MurmurCommand("tool", "run one tool: 'tool run' a built-in (grep_search, ...) in a folder, 'tool call' one another node serves, 'tool list'")
        {
            Details = """
                run    runs the built-in tool NAME with the JSON object JSON as its arguments (default {}), confined to
                       DIR: paths in the arguments are relative to DIR and may not leave it. Prints the tool's result as
                       one line of JSON on stdout.
                call   calls the tool NAME served by another node of the tool mesh on the log URL (a node started with
                       'murmur node --serve-tools'), through the log: a TOOL_CALL into the host's inbox, a TOOL_RESULT back.
                       --node picks the host (default: the first that serves NAME); --wait is how long to wait for a host
                       and for the answer (default 30). Prints {"tool","host","ok","result","elapsed_us","tool_us"} as one
                       line of JSON.
                       'call' takes the log and security options of 'murmur node --help' (--sign-key, --trust-keys, --tls-ca…).
                list   prints the built-in tools, one per line: name and description.
                --mcp  the tools of an MCP server instead of the built-in ones: a command line that starts a stdio server
                       (e.g. "npx -y @modelcontextprotocol/server-filesystem /src") or the URL of a Streamable HTTP
                       server, started for the command and stopped after it. 'list' prints one line per tool: name,
                       read-only or side-effecting (from the server's annotations), description; 'run' prints the
                       tool's result as one line of JSON.

                tools: grep_search {query, path=".", regex=false}, read_file {path, start=1, count=200},
                       list_files {path="."}, propose_patch {path, unified_diff}, apply_patch {path, unified_diff}
                       (apply_patch writes the file).

                exit codes: 0 the tool ran, 1 the tool failed or was refused (missing root folder, unknown tool,
                invalid JSON arguments, refused path, tool error; the message is on stderr), 2 usage error.

                example: murmur tool run grep_search --root . --args '{"query":"auth_token","path":"src"}'
                """,
            Subcommands = { run, RemoteToolCall.Build(), list },
        };
        return command;
    }

    /// <summary>The <c>--args JSON</c> option of <c>tool run</c> and <c>tool call</c>.</summary>
    internal static Option<string> ArgsOption()
        => new("--args") { HelpName = "JSON", Description = "the tool's arguments as one JSON object", DefaultValueFactory = _ => "{}" };

    private static int ListBuiltIn(TextWriter stdout)
    {
        foreach (var tool in BuiltInTools.All(AppContext.BaseDirectory))
        {
            stdout.WriteLine($"{tool.Name,-14} {tool.Description}");
        }
        return ExitCodes.Ok;
    }

    private static int RunBuiltIn(string name, string? root, string json, TextWriter stdout, TextWriter stderr)
    {
        if (string.IsNullOrEmpty(root))
        {
            throw new UsageException("missing --root DIR (the folder the tool is confined to)");
        }
        try
        {
            var result = Invoke(name, root, json);
            stdout.WriteLine(JsonSerializer.Serialize(result, Output));
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            stderr.WriteLine($"murmur tool: {Message(ex)}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>Parses <c>--args</c>: a JSON object, else an <see cref="ArgumentException"/> that says what is wrong.</summary>
    internal static AIFunctionArguments ParseArguments(string json)
    {
        var arguments = new AIFunctionArguments();
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException($"--args must be a JSON object, e.g. {{\"query\":\"x\"}}; got a {document.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            }
            foreach (var property in document.RootElement.EnumerateObject())
            {
                arguments[property.Name] = property.Value.Clone();
            }
        }
        catch (JsonException ex)
        {
            throw new ArgumentException(BadJson(json, ex), ex);
        }
        return arguments;
    }

    /// <summary>
    /// Says where --args went wrong in words and with a caret under the spot, instead of System.Text.Json's
    /// "LineNumber: 0 | BytePositionInLine: 1", and names the usual cause: shell quoting.
    /// </summary>
    internal static string BadJson(string json, JsonException ex)
    {
        var reason = ex.Message;
        var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        reason = (cut > 0 ? reason[..cut] : reason).Trim().TrimEnd('.');
        var text = new System.Text.StringBuilder($"--args is not valid JSON: {reason}");
        if (ex.LineNumber == 0 && ex.BytePositionInLine is { } at && json.Length <= 120 && !json.Contains('\n', StringComparison.Ordinal))
        {
            var column = System.Text.Encoding.UTF8.GetCharCount(System.Text.Encoding.UTF8.GetBytes(json), 0, (int)Math.Min(at, System.Text.Encoding.UTF8.GetByteCount(json)));
            text.Append($" at character {column + 1}:\n  {json}\n  {new string(' ', column)}^");
        }
        text.Append("\n  --args takes one JSON object with double-quoted names and strings, in single quotes for the shell: --args '{\"query\":\"auth_token\",\"path\":\".\"}'");
        return text.ToString();
    }

    private static object? Invoke(string name, string root, string json)
    {
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"the root folder '{root}' does not exist");
        }
        var tools = BuiltInTools.All(root);
        var tool = tools.FirstOrDefault(t => t.Name == name)
            ?? throw new ArgumentException($"unknown tool '{name}'; known tools: {string.Join(", ", tools.Select(t => t.Name))}");
        var arguments = ParseArguments(json);
        return tool.InvokeAsync(arguments).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The innermost meaningful message: reflection and task wrappers are peeled off.</summary>
    internal static string Message(Exception ex)
    {
        while (ex is TargetInvocationException or AggregateException && ex.InnerException is { } inner)
        {
            ex = inner;
        }
        return ex.Message;
    }
}
