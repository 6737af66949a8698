using System.Text;

namespace Murmur.Cli.Demo;

/// <summary>Builds a unified diff (as <c>git apply</c> expects) from line replacements, with three lines of context.</summary>
internal static class PatchWriter
{
    private const int Context = 3;

    /// <summary>A diff of one file: <paramref name="fixes"/> replace whole lines (1-based) of <paramref name="original"/>.</summary>
    public static string ForFile(string path, string[] original, IReadOnlyCollection<(int Line, string After)> fixes, bool withHeader = true)
    {
        var changes = fixes.GroupBy(f => f.Line).ToDictionary(g => g.Key, g => g.Last().After);
        var sb = new StringBuilder();
        if (withHeader)
        {
            sb.Append("diff --git a/").Append(path).Append(" b/").Append(path).Append('\n');
            sb.Append("--- a/").Append(path).Append('\n').Append("+++ b/").Append(path).Append('\n');
        }
        var lines = changes.Keys.Order().ToList();
        var i = 0;
        while (i < lines.Count)
        {
            // Group changes whose context windows touch into one hunk.
            var first = lines[i];
            var last = first;
            while (i + 1 < lines.Count && lines[i + 1] - last <= 2 * Context)
            {
                last = lines[++i];
            }
            i++;
            var start = Math.Max(1, first - Context);
            var end = Math.Min(original.Length, last + Context);
            var count = end - start + 1;
            sb.Append("@@ -").Append(start).Append(',').Append(count).Append(" +").Append(start).Append(',').Append(count).Append(" @@\n");
            for (var n = start; n <= end; n++)
            {
                if (changes.TryGetValue(n, out var after))
                {
                    sb.Append('-').Append(original[n - 1]).Append('\n');
                    sb.Append('+').Append(after).Append('\n');
                }
                else
                {
                    sb.Append(' ').Append(original[n - 1]).Append('\n');
                }
            }
        }
        return sb.ToString();
    }

    /// <summary>The whole patch for a tree: files in ordinal order.</summary>
    public static string ForTree(string root, IEnumerable<Fix> fixes)
    {
        var sb = new StringBuilder();
        foreach (var file in fixes.GroupBy(f => f.Path).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var original = ReadLines(Path.Combine(root, file.Key));
            sb.Append(ForFile(file.Key, original, [.. file.Select(f => (f.Line, f.After))]));
        }
        return sb.ToString();
    }

    /// <summary>A file's lines without the final newline's empty entry.</summary>
    public static string[] ReadLines(string path)
    {
        var text = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        var lines = text.Split('\n');
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }
}
