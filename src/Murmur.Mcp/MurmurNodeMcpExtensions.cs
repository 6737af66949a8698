using Microsoft.Extensions.Logging;
using Murmur.AI.Tools;
using Murmur.Agents;

namespace Murmur.Mcp;

/// <summary>Attaches MCP servers to a <see cref="MurmurNode"/>: their tools join the node's <see cref="ToolRegistry"/>.</summary>
public static class MurmurNodeMcpExtensions
{
    /// <summary>
    /// Starts (or connects to) the MCP server <paramref name="spec"/> and registers its tools in
    /// <c>node.Tools()</c>, where agents call them like built-in tools: co-located, recorded as
    /// <c>TOOL_CALL</c>/<c>TOOL_RESULT</c>, subject to the allow-list, served to the tool mesh when the node joined one.
    /// The server is stopped with the node (a process on the node's runtime owns it) or when the returned source is disposed.
    /// </summary>
    /// <exception cref="McpToolException">The server could not be started.</exception>
    /// <exception cref="InvalidOperationException">A tool of the same name is already registered on the node (use <see cref="McpServerSpec.ToolPrefix"/>).</exception>
    public static async Task<McpToolSource> AttachMcpServerAsync(this MurmurNode node, McpServerSpec spec, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(spec);
        var logger = loggerFactory ?? node.Options.Runtime.LoggerFactory;
        var source = await McpToolSource.ConnectAsync(spec, logger, node.TimeProvider, cancellationToken).ConfigureAwait(false);
        var registry = node.Tools();
        var added = new List<string>();
        try
        {
            foreach (var tool in source.Tools)
            {
                if (registry.TryGet(tool.Name, out _))
                {
                    throw new InvalidOperationException($"MCP server '{spec.Name}' has a tool '{tool.Name}', and a tool of that name is already registered on node '{node.NodeId}'; give the server a ToolPrefix.");
                }
                registry.Add(tool);
                added.Add(tool.Name);
            }
            // The server lives as long as this process does: the runtime stops it (and so the server) when the node stops.
            source.Detach = () =>
            {
                foreach (var name in added)
                {
                    if (registry.TryGet(name, out var tool) && tool is McpTool mcp && ReferenceEquals(mcp.Server, spec))
                    {
                        registry.Remove(name);
                    }
                }
            };
            await node.Runtime.SpawnAsync(AgentId.Of($"mcp_{spec.Name}"), () => new McpServerKeeper(source),
                new SpawnOptions { Restart = Restart.Temporary }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            foreach (var name in added)
            {
                registry.Remove(name);
            }
            source.Detach = null;
            await source.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        if (registry.Mesh is { } mesh)
        {
            await mesh.AnnounceAsync(cancellationToken).ConfigureAwait(false);
        }
        McpLogMessages.Attached(logger.CreateLogger("Murmur.Mcp"), spec.Name, added.Count, string.Join(", ", added));
        return source;
    }

    /// <summary>Owns an attached server for the node's runtime: when the runtime stops it, the server stops and its tools are removed.</summary>
    private sealed class McpServerKeeper(McpToolSource source) : Agent
    {
        protected override ValueTask OnStoppedAsync(ExitReason reason, CancellationToken cancellationToken) => source.DisposeAsync();
    }
}
