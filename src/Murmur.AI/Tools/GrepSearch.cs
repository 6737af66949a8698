using System.Text;
using System.Text.RegularExpressions;

namespace Murmur.AI.Tools;

/// <summary>The engine of <c>grep_search</c>: a literal or .NET-regex line search under a <see cref="PathGuard"/> root.</summary>
/// <remarks>Never runs a process: the query is matched in-process, so a query such as <c>-rf</c> is just text. Thread-safe.</remarks>
public sealed class GrepSearch(PathGuard guard, GrepOptions? options = null)
{
    private const int BinaryProbeBytes = 8 * 1024;
    private readonly GrepOptions _options = Validated(options ?? GrepOptions.Default);

    /// <summary>Searches the files under <paramref name="path"/> (a file or a directory) for <paramref name="query"/>.</summary>
    /// <exception cref="ArgumentException">The query is empty or not a valid regex.</exception>
    /// <exception cref="PathRefusedException">The path breaks a rule of the guard.</exception>
    public GrepResult Search(string query, string? path = null, bool regex = false, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(query))
        {
            throw new ArgumentException("grep_search needs a non-empty query.", nameof(query));
        }
        Regex? pattern = null;
        if (regex)
        {
            try
            {
                pattern = new Regex(query, RegexOptions.CultureInvariant, _options.MatchTimeout);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"'{query}' is not a valid .NET regular expression: {ex.Message}", nameof(query), ex);
            }
        }
        var start = guard.Resolve(path);
        IEnumerable<string> files = File.Exists(start) ? [start]
            : Directory.Exists(start) ? Enumerate(start)
            : throw new FileNotFoundException($"grep_search: '{path}' does not exist under the tool root.");

        var matches = new List<GrepMatch>();
        int searched = 0, skipped = 0, seen = 0;
        long bytes = 0;
        string? reason = null;
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (++seen > _options.MaxFiles)
            {
                reason = $"file limit reached ({_options.MaxFiles} files)";
                break;
            }
            if (!TryRead(file, out var content))
            {
                skipped++;
                continue;
            }
            bytes += content.Length;
            if (bytes > _options.MaxTotalBytes)
            {
                reason = $"byte limit reached ({_options.MaxTotalBytes} bytes read)";
                break;
            }
            searched++;
            reason = SearchFile(guard.ToRelative(file), content, query, pattern, matches);
            if (reason is not null)
            {
                break;
            }
        }
        return new GrepResult(matches, searched, skipped, reason is not null, reason);
    }

    private string? SearchFile(string relative, byte[] content, string query, Regex? pattern, List<GrepMatch> matches)
    {
        var text = Encoding.UTF8.GetString(content);
        var lineNo = 0;
        foreach (var range in text.AsSpan().Split('\n'))
        {
            lineNo++;
            var line = text.AsSpan(range).TrimEnd('\r');
            bool hit;
            if (pattern is null)
            {
                hit = line.Contains(query, StringComparison.Ordinal);
            }
            else
            {
                try
                {
                    hit = pattern.IsMatch(line);
                }
                catch (RegexMatchTimeoutException)
                {
                    return $"regex match timeout ({_options.MatchTimeout.TotalMilliseconds} ms) at {relative}:{lineNo}; simplify the pattern";
                }
            }
            if (hit)
            {
                if (matches.Count == _options.MaxMatches)
                {
                    return $"match limit reached ({_options.MaxMatches} matches)";
                }
                var shown = line.Length > _options.MaxLineChars ? string.Concat(line[.._options.MaxLineChars], "…") : line.ToString();
                matches.Add(new GrepMatch(relative, lineNo, shown));
            }
        }
        return null;
    }

    private bool TryRead(string file, out byte[] content)
    {
        content = [];
        try
        {
            // Hard links, links out of the root and files swapped after the check are skipped, as the guard refuses them.
            using var stream = guard.Open(guard.ToRelative(file));
            if (stream.Length > _options.MaxFileBytes)
            {
                return false;
            }
            content = new byte[stream.Length];
            stream.ReadExactly(content);
        }
        catch (Exception ex) when (ex is PathRefusedException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
        // A NUL byte in the first 8 KiB marks a binary file, as git and grep decide.
        return content.AsSpan(0, Math.Min(content.Length, BinaryProbeBytes)).IndexOf((byte)0) < 0;
    }

    private static IEnumerable<string> Enumerate(string directory)
    {
        // Symbolic links (to files or directories) are not followed while walking.
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint, ReturnSpecialDirectories = false };
        return Directory.EnumerateFiles(directory, "*", options).Order(StringComparer.Ordinal);
    }

    private static GrepOptions Validated(GrepOptions options)
    {
        options.Validate();
        return options;
    }
}
