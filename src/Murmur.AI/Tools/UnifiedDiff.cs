using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Murmur.AI.Tools;

/// <summary>A parsed single-file unified diff (<c>---</c>/<c>+++</c> headers optional, then <c>@@ -a,b +c,d @@</c> hunks).</summary>
/// <remarks>
/// Applying is strict: every hunk's context and removed lines must be exactly at the line its header names
/// (shifted by what earlier hunks added or removed). No fuzz, so a patch drafted against another version of a
/// file is refused rather than applied somewhere else. Immutable and thread-safe.
/// </remarks>
public sealed partial class UnifiedDiff
{
    private UnifiedDiff(IReadOnlyList<Hunk> hunks) => Hunks = hunks;

    /// <summary>The hunks in order.</summary>
    public IReadOnlyList<Hunk> Hunks { get; }

    /// <summary>Lines added over all hunks.</summary>
    public int Added => Hunks.Sum(h => h.Lines.Count(l => l.Kind == '+'));

    /// <summary>Lines removed over all hunks.</summary>
    public int Removed => Hunks.Sum(h => h.Lines.Count(l => l.Kind == '-'));

    /// <summary>Parses a unified diff for one file.</summary>
    /// <exception cref="PatchException">The text is not a unified diff; the message names the diff line.</exception>
    public static UnifiedDiff Parse(string diff)
    {
        ArgumentNullException.ThrowIfNull(diff);
        var lines = diff.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var hunks = new List<Hunk>();
        var i = 0;
        while (i < lines.Length && !lines[i].StartsWith("@@", StringComparison.Ordinal))
        {
            if (lines[i].StartsWith("--- ", StringComparison.Ordinal) && hunks.Count == 0 || IsPreamble(lines[i]))
            {
                i++;
                continue;
            }
            throw new PatchException($"diff line {i + 1}: expected a header ('---', '+++', 'diff', 'index') or a hunk ('@@ -a,b +c,d @@'), found '{Cut(lines[i])}'");
        }
        while (i < lines.Length)
        {
            if (lines[i].Length == 0)
            {
                i++; // blank lines between hunks, and the diff text's final newline
                continue;
            }
            var header = HunkHeader().Match(lines[i]);
            if (!header.Success)
            {
                throw new PatchException($"diff line {i + 1}: expected a hunk header '@@ -a,b +c,d @@', found '{Cut(lines[i])}'");
            }
            var number = hunks.Count + 1;
            var oldStart = int.Parse(header.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
            var oldCount = header.Groups[2].Success ? int.Parse(header.Groups[2].ValueSpan, CultureInfo.InvariantCulture) : 1;
            var newStart = int.Parse(header.Groups[3].ValueSpan, CultureInfo.InvariantCulture);
            var newCount = header.Groups[4].Success ? int.Parse(header.Groups[4].ValueSpan, CultureInfo.InvariantCulture) : 1;
            var body = new List<HunkLine>();
            int olds = 0, news = 0;
            i++;
            while (i < lines.Length && (olds < oldCount || news < newCount || (i < lines.Length && lines[i].StartsWith('\\'))))
            {
                var line = lines[i];
                if (line.Length == 0 && i == lines.Length - 1)
                {
                    break; // the diff text's final newline, not an empty context line
                }
                if (line.StartsWith('\\'))
                {
                    i++; // "\ No newline at end of file": the applier keeps the file's own final-newline state
                    continue;
                }
                var kind = line.Length == 0 ? ' ' : line[0];
                if (kind is not (' ' or '-' or '+'))
                {
                    throw new PatchException($"hunk {number} (diff line {i + 1}): a hunk line must start with ' ', '-' or '+', found '{Cut(line)}'");
                }
                var text = line.Length == 0 ? string.Empty : line[1..];
                body.Add(new HunkLine(kind, text));
                if (kind != '+')
                {
                    olds++;
                }
                if (kind != '-')
                {
                    news++;
                }
                i++;
            }
            if (olds != oldCount || news != newCount)
            {
                throw new PatchException($"hunk {number}: its header announces {oldCount} old and {newCount} new lines but the body has {olds} and {news}");
            }
            hunks.Add(new Hunk(number, oldStart, oldCount, newStart, newCount, body));
        }
        if (hunks.Count == 0)
        {
            throw new PatchException("the diff has no hunk ('@@ -a,b +c,d @@')");
        }
        return new UnifiedDiff(hunks);
    }

    /// <summary>Applies the diff to <paramref name="original"/>, keeping its line endings and final newline.</summary>
    /// <exception cref="PatchException">A hunk does not match the text; the message names the hunk and the line.</exception>
    public string Apply(string original)
    {
        ArgumentNullException.ThrowIfNull(original);
        var newline = original.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var finalNewline = original.EndsWith('\n');
        var body = original.Replace("\r\n", "\n", StringComparison.Ordinal);
        var lines = body.Length == 0 ? [] : (finalNewline ? body[..^1] : body).Split('\n').ToList();
        var shift = 0;
        foreach (var hunk in Hunks)
        {
            // A hunk that only adds to an empty range names the line after which it inserts.
            var at = (hunk.OldCount == 0 ? hunk.OldStart : hunk.OldStart - 1) + shift;
            var expected = hunk.Lines.Where(l => l.Kind != '+').Select(l => l.Text).ToList();
            if (at < 0 || at + expected.Count > lines.Count)
            {
                throw new PatchException($"hunk {hunk.Number} does not apply: it needs lines {at + 1}..{at + expected.Count} but the file has {lines.Count} lines");
            }
            for (var k = 0; k < expected.Count; k++)
            {
                if (!string.Equals(lines[at + k], expected[k], StringComparison.Ordinal))
                {
                    throw new PatchException($"hunk {hunk.Number} does not apply at line {at + k + 1}: expected '{Cut(expected[k])}' but the file has '{Cut(lines[at + k])}'");
                }
            }
            var replacement = hunk.Lines.Where(l => l.Kind != '-').Select(l => l.Text).ToList();
            lines.RemoveRange(at, expected.Count);
            lines.InsertRange(at, replacement);
            shift += replacement.Count - expected.Count;
        }
        var result = new StringBuilder();
        for (var k = 0; k < lines.Count; k++)
        {
            result.Append(lines[k]);
            if (k < lines.Count - 1 || finalNewline || original.Length == 0)
            {
                result.Append(newline);
            }
        }
        return result.ToString();
    }

    private static bool IsPreamble(string line)
        => line.StartsWith("+++ ", StringComparison.Ordinal) || line.StartsWith("--- ", StringComparison.Ordinal)
        || line.StartsWith("diff ", StringComparison.Ordinal) || line.StartsWith("index ", StringComparison.Ordinal) || line.Length == 0;

    private static string Cut(string text) => text.Length > 80 ? string.Concat(text.AsSpan(0, 80), "…") : text;

    [GeneratedRegex(@"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex HunkHeader();

    /// <summary>One line of a hunk.</summary>
    /// <param name="Kind">' ' context, '-' removed, '+' added.</param>
    /// <param name="Text">The line without its marker.</param>
    public sealed record HunkLine(char Kind, string Text);

    /// <summary>One hunk.</summary>
    /// <param name="Number">1-based position in the diff.</param>
    /// <param name="OldStart">First old line (1-based).</param>
    /// <param name="OldCount">Old lines covered.</param>
    /// <param name="NewStart">First new line (1-based).</param>
    /// <param name="NewCount">New lines produced.</param>
    /// <param name="Lines">The body.</param>
    public sealed record Hunk(int Number, int OldStart, int OldCount, int NewStart, int NewCount, IReadOnlyList<HunkLine> Lines);
}
