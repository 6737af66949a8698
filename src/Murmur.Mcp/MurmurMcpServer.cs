using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Murmur.AI.Tools;

namespace Murmur.Mcp;

/// <summary>
/// Serves Murmur tools to any MCP client: <see cref="SandboxedTools"/> are the built-in tools confined to a folder by
/// <see cref="PathGuard"/> (what <c>murmur mcp serve</c> runs over stdio).
/// </summary>
public static class MurmurMcpServer
{
    /// <summary>The server name reported in the MCP handshake.</summary>
    public const string ServerName = "murmur";

    /// <summary>
    /// The built-in tools confined to <paramref name="root"/>: the read-only ones, and <c>apply_patch</c> only when
    /// <paramref name="allowWrites"/>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static IReadOnlyList<AIFunction> SandboxedTools(string root, bool allowWrites = false)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"the root folder '{root}' does not exist");
        }
        return [.. BuiltInTools.All(Path.GetFullPath(root)).Where(t => allowWrites || !ToolRegistry.IsSideEffecting(t))];
    }

    /// <summary>
    /// Creates an MCP server over <paramref name="transport"/> that lists and runs <paramref name="tools"/>. Side-effecting
    /// tools are annotated <c>readOnlyHint: false, destructiveHint: true</c>, the others <c>readOnlyHint: true</c>. A tool
    /// that throws answers with <c>isError</c> and the exception's message (a refused path says why).
    /// </summary>
    public static McpServer Create(ITransport transport, IEnumerable<AIFunction> tools, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(tools);
        var collection = new McpServerPrimitiveCollection<McpServerTool>();
        foreach (var tool in tools)
        {
            var sideEffecting = ToolRegistry.IsSideEffecting(tool);
            collection.Add(McpServerTool.Create(new MessagePreservingFunction(tool), new McpServerToolCreateOptions
            {
                Name = tool.Name,
                Description = tool.Description,
                ReadOnly = !sideEffecting,
                Destructive = sideEffecting,
                Idempotent = !sideEffecting,
                OpenWorld = false,
            }));
        }
        var options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = ServerName, Version = typeof(MurmurMcpServer).Assembly.GetName().Version?.ToString(3) ?? "0" },
            ToolCollection = collection,
        };
        return McpServer.Create(transport, options, loggerFactory ?? NullLoggerFactory.Instance);
    }

    /// <summary>Serves <paramref name="tools"/> on this process's stdin/stdout until the client disconnects or <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task RunStdioAsync(IEnumerable<AIFunction> tools, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        var transport = new StdioServerTransport(ServerName, loggerFactory);
        await using (transport.ConfigureAwait(false))
        {
            var server = Create(transport, tools, loggerFactory);
            await using (server.ConfigureAwait(false))
            {
                await server.RunAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Rethrows a tool's failure as an <see cref="McpException"/>, whose message the SDK sends to the client (it hides the
    /// message of other exceptions); the client then learns, for example, which path was refused and why.
    /// </summary>
    private sealed class MessagePreservingFunction(AIFunction inner) : DelegatingAIFunction(inner)
    {
        protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            try
            {
                return await base.InvokeCoreAsync(arguments, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or McpException or OutOfMemoryException))
            {
                var cause = ex is System.Reflection.TargetInvocationException { InnerException: { } i } ? i : ex;
                throw new McpException($"{Name}: {cause.Message}", cause);
            }
        }
    }
}
