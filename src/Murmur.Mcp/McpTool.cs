using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;
using Murmur.AI.Tools;

namespace Murmur.Mcp;

/// <summary>
/// One tool of an MCP server as an <see cref="AIFunction"/>: its name (with the source's prefix), description and
/// JSON schema come from the server; a call goes to the server through its <see cref="McpToolSource"/>.
/// </summary>
/// <remarks>
/// Marked side-effecting (<see cref="ToolRegistry.SideEffectingKey"/>) unless the server annotates it
/// <c>readOnlyHint: true</c>; <see cref="McpServerSpec.ReadOnlyTools"/> and <see cref="McpServerSpec.SideEffectingTools"/>
/// override the annotation. The result is the tool's <c>structuredContent</c> when it has one, its text when it
/// returns one text block, else its content blocks as JSON. A result with <c>isError</c> is thrown as
/// <see cref="McpToolException"/> with the tool's text, so the invoker records a failed call.
/// </remarks>
public sealed class McpTool : AIFunction
{
    private readonly McpToolSource _source;
    private readonly Dictionary<string, object?> _properties;

    internal McpTool(McpToolSource source, Tool tool)
    {
        _source = source;
        ProtocolTool = tool;
        Name = source.Spec.ToolPrefix + tool.Name;
        IsReadOnly = source.Spec.ReadOnlyTools.Contains(tool.Name) || (!source.Spec.SideEffectingTools.Contains(tool.Name) && tool.Annotations?.ReadOnlyHint == true);
        _properties = new Dictionary<string, object?>(StringComparer.Ordinal) { ["murmur.mcp_server"] = source.Spec.Name };
        if (!IsReadOnly)
        {
            _properties[ToolRegistry.SideEffectingKey] = true;
        }
    }

    /// <summary>The tool as the server listed it (annotations included).</summary>
    public Tool ProtocolTool { get; }

    /// <summary>The server this tool belongs to.</summary>
    public McpServerSpec Server => _source.Spec;

    /// <summary>False when the tool is side-effecting (see the remarks).</summary>
    public bool IsReadOnly { get; }

    /// <summary>The server's <c>destructiveHint</c> (true when absent, as the MCP specification says); meaningless for a read-only tool.</summary>
    public bool IsDestructive => !IsReadOnly && ProtocolTool.Annotations?.DestructiveHint != false;

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override string Description => ProtocolTool.Description ?? string.Empty;

    /// <inheritdoc/>
    public override JsonElement JsonSchema => ProtocolTool.InputSchema;

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, object?> AdditionalProperties => _properties;

    /// <inheritdoc/>
    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var args = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in arguments)
        {
            args[key] = value;
        }
        var result = await _source.CallAsync(ProtocolTool.Name, args, cancellationToken).ConfigureAwait(false);
        return McpResults.ToJson(Name, result);
    }
}
