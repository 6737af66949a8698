using Microsoft.Extensions.Logging;

namespace Murmur.Mcp;

internal static partial class McpLogMessages
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "MCP server '{Server}' exited: {Reason}; restarting it")]
    public static partial void ServerExited(ILogger logger, string server, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "MCP server '{Server}' restarted ({Restarts} restarts)")]
    public static partial void ServerRestarted(ILogger logger, string server, int restarts);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "MCP server '{Server}' could not be restarted (attempt {Attempt}): {Reason}")]
    public static partial void RestartFailed(ILogger logger, string server, int attempt, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "MCP server '{Server}' stderr: {Line}")]
    public static partial void ServerStderr(ILogger logger, string server, string line);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "MCP server '{Server}' attached: {Tools} tools [{Names}]")]
    public static partial void Attached(ILogger logger, string server, int tools, string names);
}
