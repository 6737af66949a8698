using Murmur.Supervision;

namespace Murmur.Mcp;

/// <summary>
/// One MCP server a node attaches: a command it starts and supervises (stdio) or a URL it connects to (Streamable
/// HTTP), and how its tools are marked.
/// </summary>
public sealed record McpServerSpec
{
    /// <summary>The server's name on this node (letters, digits, <c>-</c>, <c>_</c>, <c>.</c>); used in messages and process names.</summary>
    public required string Name { get; init; }

    /// <summary>The program to start for a stdio server; null for an HTTP server.</summary>
    /// <value>null.</value>
    public string? Command { get; init; }

    /// <summary>The program's arguments.</summary>
    /// <value>Empty.</value>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The Streamable HTTP endpoint of a remote server; null for a stdio server.</summary>
    /// <value>null.</value>
    public Uri? Url { get; init; }

    /// <summary>The working directory of a stdio server; null is the node's.</summary>
    /// <value>null.</value>
    public string? WorkingDirectory { get; init; }

    /// <summary>Extra environment variables for a stdio server.</summary>
    /// <value>Empty.</value>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>A prefix put before every tool name of this server (e.g. <c>fs_</c>), to keep names of several servers apart.</summary>
    /// <value>Empty: the server's own names.</value>
    public string ToolPrefix { get; init; } = string.Empty;

    /// <summary>Tools (by their name on the server) taken as read-only whatever their annotations say.</summary>
    /// <value>Empty.</value>
    public IReadOnlyCollection<string> ReadOnlyTools { get; init; } = [];

    /// <summary>Tools (by their name on the server) taken as side-effecting whatever their annotations say.</summary>
    /// <value>Empty.</value>
    public IReadOnlyCollection<string> SideEffectingTools { get; init; } = [];

    /// <summary>The delays between restarts of a stdio server that exited (or an HTTP session that ended).</summary>
    /// <value>100 ms doubling up to 30 s, ±20 % jitter.</value>
    public RestartBackoff Restart { get; init; } = new();

    /// <summary>How long starting the server and its initialize handshake may take.</summary>
    /// <value>30 s.</value>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one tool call may take before it is answered with an error.</summary>
    /// <value>120 s.</value>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>True for a stdio server (a <see cref="Command"/>), false for an HTTP one (a <see cref="Url"/>).</summary>
    public bool IsStdio => Command is not null;

    /// <summary>
    /// Parses <c>NAME=COMMAND [ARG…]</c> or <c>NAME=URL</c> (http or https), as <c>murmur node --mcp</c> takes it.
    /// Arguments are split on spaces; quote one that holds spaces with <c>"</c> or <c>'</c>.
    /// </summary>
    /// <exception cref="FormatException">The text is not of that form; the message says what is wrong.</exception>
    public static McpServerSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new FormatException($"'{text}' is not NAME=COMMAND or NAME=URL (e.g. fs=\"npx @modelcontextprotocol/server-filesystem /src\").");
        }
        var name = text[..eq].Trim();
        var target = text[(eq + 1)..].Trim();
        return FromTarget(name, target);
    }

    /// <summary>A spec named <paramref name="name"/> for <paramref name="target"/>: a URL (http or https) or a command line.</summary>
    /// <exception cref="FormatException">The name is invalid or the target is empty.</exception>
    public static McpServerSpec FromTarget(string name, string target)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(target);
        if (CheckName(name) is { } bad)
        {
            throw new FormatException($"MCP server name '{name}' is invalid: {bad}.");
        }
        if (target.Length == 0)
        {
            throw new FormatException($"MCP server '{name}' has no command or URL after '='.");
        }
        if (Uri.TryCreate(target, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
        {
            return new McpServerSpec { Name = name, Url = url };
        }
        var words = CommandWords.Split(target);
        if (words.Count == 0)
        {
            throw new FormatException($"MCP server '{name}' has no command after '='.");
        }
        return new McpServerSpec { Name = name, Command = words[0], Arguments = [.. words.Skip(1)] };
    }

    /// <summary>Checks the fields; throws <see cref="ArgumentException"/> naming the wrong one.</summary>
    public void Validate()
    {
        if (CheckName(Name) is { } bad)
        {
            throw new ArgumentException($"MCP server name '{Name}' is invalid: {bad}.", nameof(Name));
        }
        if ((Command is null) == (Url is null))
        {
            throw new ArgumentException($"MCP server '{Name}' needs exactly one of Command (stdio) and Url (Streamable HTTP).", nameof(Command));
        }
        if (Url is not null && Url.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"MCP server '{Name}': the URL '{Url}' is not http or https.", nameof(Url));
        }
        if (StartTimeout <= TimeSpan.Zero || CallTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"MCP server '{Name}': StartTimeout and CallTimeout must be positive.", nameof(StartTimeout));
        }
        if (ToolPrefix.Any(c => !IsNameChar(c)))
        {
            throw new ArgumentException($"MCP server '{Name}': the tool prefix '{ToolPrefix}' may hold only letters, digits, '-', '_' and '.'.", nameof(ToolPrefix));
        }
    }

    /// <summary>What the server is, for messages: its command line or URL.</summary>
    public string Target => Url?.ToString() ?? string.Join(' ', [Command!, .. Arguments]);

    private static string? CheckName(string name)
        => name.Length == 0 ? "it is empty"
            : name.Length > 64 ? "it is longer than 64 characters"
            : name.All(IsNameChar) ? null
            : "only letters, digits, '-', '_' and '.' are allowed";

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
}
