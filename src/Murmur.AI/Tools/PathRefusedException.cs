namespace Murmur.AI.Tools;

/// <summary>A tool was asked for a path that <see cref="PathGuard"/> refuses; the message names the path and the rule.</summary>
public sealed class PathRefusedException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/> broken by <paramref name="rule"/>.</summary>
    public PathRefusedException(string path, string rule)
        : base($"Path '{Printable(path)}' refused: {rule}.")
    {
        Path = path;
        Rule = rule;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public PathRefusedException()
        : this(string.Empty, "refused")
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    public PathRefusedException(string message)
        : this(string.Empty, message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public PathRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = string.Empty;
        Rule = message;
    }

    /// <summary>The path as the caller gave it.</summary>
    public string Path { get; }

    /// <summary>The rule it broke, in words.</summary>
    public string Rule { get; }

    // Keep messages one readable line: NUL shown as \0, very long paths cut.
    private static string Printable(string path)
    {
        var text = path.Replace("\0", "\\0", StringComparison.Ordinal);
        return text.Length > 120 ? string.Concat(text.AsSpan(0, 120), "…") : text;
    }
}
