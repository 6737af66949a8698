using System.Text.RegularExpressions;

namespace Murmur.Cli.Demo;

/// <summary>
/// The demo's scripted reasoning about <c>auth_token</c>: which matching lines leak it, and how to fix them.
/// Deterministic rules standing in for a model's judgement; everything they drive is labelled scripted.
/// </summary>
internal static partial class Leaks
{
    /// <summary>Why a line leaks the token, or null when it does not.</summary>
    public static string? Classify(string line)
    {
        if (line.Contains("redact(", StringComparison.Ordinal) || line.Contains("Bearer", StringComparison.Ordinal))
        {
            return null; // already safe
        }
        if (QueryString().IsMatch(line))
        {
            return "auth_token sent in a URL query string (ends up in proxy and access logs)";
        }
        if (LogCall().IsMatch(line))
        {
            return "auth_token written to a log in clear text";
        }
        return null;
    }

    /// <summary>The fixed line for a leak, or null when no recipe applies.</summary>
    public static string? Fix(string line)
    {
        string? fixedLine = null;
        if (line.Contains("?auth_token=${auth_token}`)", StringComparison.Ordinal))
        {
            fixedLine = line.Replace("?auth_token=${auth_token}`)", "`, { headers: { Authorization: `Bearer ${auth_token}` } })", StringComparison.Ordinal);
        }
        else if (line.Contains("RawQuery = \"auth_token=\" + auth_token", StringComparison.Ordinal))
        {
            fixedLine = line.Replace("req.URL.RawQuery = \"auth_token=\" + auth_token", "req.Header.Set(\"Authorization\", \"Bearer \"+auth_token)", StringComparison.Ordinal);
        }
        else if (line.Contains(" auth_token=$arg_auth_token", StringComparison.Ordinal))
        {
            fixedLine = line.Replace(" auth_token=$arg_auth_token", string.Empty, StringComparison.Ordinal);
        }
        else if (line.Contains("{auth_token}", StringComparison.Ordinal))
        {
            fixedLine = line.Replace("${auth_token}", "${redact(auth_token)}", StringComparison.Ordinal)
                .Replace("={auth_token}", "={redact(auth_token)}", StringComparison.Ordinal);
        }
        else if (FStringAssignment().Match(line) is { Success: true } assignment)
        {
            fixedLine = line.Replace(assignment.Value, $"auth_token={{redact({assignment.Groups[1].Value})}}", StringComparison.Ordinal);
        }
        else if (line.Contains(", auth_token)", StringComparison.Ordinal))
        {
            fixedLine = line.Replace(", auth_token)", ", redact(auth_token))", StringComparison.Ordinal);
        }
        return fixedLine == line ? null : fixedLine;
    }

    /// <summary>True when the leak sits in test code that only handles a fake fixture token.</summary>
    public static bool IsTestFixture(string path, IEnumerable<string> context)
        => path.Contains("/tests/", StringComparison.Ordinal) && context.Any(l => l.Contains("FAKE_TOKEN =", StringComparison.Ordinal));

    [GeneratedRegex(@"auth_token=\{(\w+)\}")]
    private static partial Regex FStringAssignment();

    [GeneratedRegex(@"\?auth_token=|RawQuery\s*=\s*""auth_token=")]
    private static partial Regex QueryString();

    [GeneratedRegex(@"(logger\.\w+|log\.Printf|console\.log|print\(|log_format)[^\n]*auth_token")]
    private static partial Regex LogCall();
}
