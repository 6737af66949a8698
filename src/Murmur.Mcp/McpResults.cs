using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Murmur.Mcp;

/// <summary>Turns an MCP <c>tools/call</c> result into the JSON value a Murmur tool returns.</summary>
internal static class McpResults
{
    public static JsonElement ToJson(string tool, CallToolResult result)
    {
        if (result.IsError == true)
        {
            var text = Text(result.Content);
            throw new McpToolException(string.IsNullOrWhiteSpace(text) ? $"the MCP tool '{tool}' reported an error without text" : text);
        }
        if (result.StructuredContent is { } structured)
        {
            return JsonSerializer.SerializeToElement(structured, McpJsonUtilities.DefaultOptions);
        }
        if (result.Content.Count > 0 && result.Content.All(c => c is TextContentBlock))
        {
            return result.Content.Count == 1
                ? JsonSerializer.SerializeToElement(((TextContentBlock)result.Content[0]).Text)
                : JsonSerializer.SerializeToElement(result.Content.Select(c => ((TextContentBlock)c).Text).ToArray());
        }
        return JsonSerializer.SerializeToElement(result.Content, McpJsonUtilities.DefaultOptions);
    }

    private static string Text(IEnumerable<ContentBlock> content)
        => string.Join("\n", content.OfType<TextContentBlock>().Select(t => t.Text));
}
