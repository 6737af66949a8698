namespace Murmur.Mcp;

/// <summary>An MCP server could not be started, a call to it failed, or its tool answered with an error result.</summary>
public sealed class McpToolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public McpToolException()
    {
    }

    /// <summary>Creates the exception with a message that says what went wrong.</summary>
    public McpToolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public McpToolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
