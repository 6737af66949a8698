using System.ComponentModel;
using System.Text;
using Microsoft.Extensions.AI;

namespace Murmur.AI.Tools;

/// <summary>
/// Tools confined to a root directory by a <see cref="PathGuard"/>: <c>grep_search</c>, <c>read_file</c>,
/// <c>list_files</c>, <c>propose_patch</c> (read-only) and <c>apply_patch</c> (the only side-effecting one).
/// </summary>
/// <remarks>No tool ever starts a process or a shell: searching, reading and patching are done in-process.</remarks>
public static class BuiltInTools
{
    /// <summary>Most lines <c>read_file</c> returns in one call.</summary>
    public const int MaxReadLines = 2000;

    /// <summary>Largest file <c>read_file</c>, <c>propose_patch</c> and <c>apply_patch</c> accept, in bytes.</summary>
    public const long MaxFileBytes = 4 * 1024 * 1024;

    /// <summary>Most entries <c>list_files</c> returns.</summary>
    public const int MaxListEntries = 1000;

    /// <summary>All five tools for <paramref name="root"/>.</summary>
    public static IReadOnlyList<AIFunction> All(string root)
        => [GrepSearch(root), ReadFile(root), ListFiles(root), ProposePatch(root), ApplyPatch(root)];

    /// <summary><c>grep_search(query, path, regex=false)</c>: matching lines as <c>{matches:[{path,line,text}],…}</c>.</summary>
    public static AIFunction GrepSearch(string root, GrepOptions? options = null)
    {
        var grep = new GrepSearch(new PathGuard(root), options);
        return Create(
            "grep_search",
            "Searches text files under a root-relative path for a literal string (or a .NET regex when regex=true). Returns matching lines with root-relative paths.",
            ([Description("The text or regex to find.")] string query,
             [Description("Root-relative file or directory; '.' for the whole tree.")] string path = ".",
             [Description("Treat the query as a .NET regular expression.")] bool regex = false,
             CancellationToken cancellationToken = default) => grep.Search(query, path, regex, cancellationToken));
    }

    /// <summary><c>read_file(path, start=1, count=200)</c>: <c>count</c> lines from line <c>start</c> (1-based).</summary>
    public static AIFunction ReadFile(string root)
    {
        var guard = new PathGuard(root);
        return Create(
            "read_file",
            "Reads lines of a text file under the root: count lines from line start (1-based).",
            ([Description("Root-relative file path.")] string path,
             [Description("First line, 1-based.")] int start = 1,
             [Description("How many lines (at most 2000).")] int count = 200) =>
            {
                if (start < 1 || count < 1 || count > MaxReadLines)
                {
                    throw new ArgumentException($"read_file: start must be >= 1 and count between 1 and {MaxReadLines} (got start={start}, count={count}).");
                }
                var text = ReadText(guard, path, "read_file");
                var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
                var total = text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
                var taken = lines.Skip(start - 1).Take(Math.Min(count, Math.Max(0, total - (start - 1)))).ToArray();
                return new { path = guard.ToRelative(guard.Resolve(path)), start, total_lines = total, lines = taken };
            });
    }

    /// <summary><c>list_files(path=".")</c>: the entries of one directory, <c>{name, type, size}</c>, ordered by name.</summary>
    public static AIFunction ListFiles(string root)
    {
        var guard = new PathGuard(root);
        return Create(
            "list_files",
            "Lists the entries of a directory under the root (not recursive).",
            ([Description("Root-relative directory; '.' for the root.")] string path = ".") =>
            {
                var real = guard.Resolve(path);
                if (!Directory.Exists(real))
                {
                    throw new DirectoryNotFoundException($"list_files: '{path}' is not a directory under the tool root.");
                }
                var entries = new DirectoryInfo(real).EnumerateFileSystemInfos()
                    .OrderBy(e => e.Name, StringComparer.Ordinal)
                    .Take(MaxListEntries + 1)
                    .Select(e => new
                    {
                        name = e.Name,
                        type = e.LinkTarget is not null ? "link" : e is DirectoryInfo ? "dir" : "file",
                        size = e is FileInfo f && e.LinkTarget is null ? f.Length : (long?)null,
                    })
                    .ToList();
                var truncated = entries.Count > MaxListEntries;
                return new { path = guard.ToRelative(real), entries = entries.Take(MaxListEntries), truncated };
            });
    }

    /// <summary><c>propose_patch(path, unified_diff)</c>: checks the diff applies to the current file and returns it as data; writes nothing.</summary>
    public static AIFunction ProposePatch(string root)
    {
        var guard = new PathGuard(root);
        return Create(
            "propose_patch",
            "Checks that a unified diff applies to the current file and returns it as a proposal. Changes no file.",
            ([Description("Root-relative file path.")] string path,
             [Description("A unified diff for that file (@@ -a,b +c,d @@ hunks).")] string unified_diff) =>
            {
                var diff = UnifiedDiff.Parse(unified_diff);
                diff.Apply(ReadText(guard, path, "propose_patch"));
                return new { path = guard.ToRelative(guard.Resolve(path)), applies = true, hunks = diff.Hunks.Count, added = diff.Added, removed = diff.Removed, unified_diff };
            });
    }

    /// <summary><c>apply_patch(path, unified_diff)</c>: applies a unified diff and writes the file. Marked side-effecting.</summary>
    public static AIFunction ApplyPatch(string root)
    {
        var guard = new PathGuard(root);
        return Create(
            "apply_patch",
            "Applies a unified diff to a file under the root and writes it. The only tool with a side effect.",
            ([Description("Root-relative file path.")] string path,
             [Description("A unified diff for that file.")] string unified_diff) =>
            {
                var diff = UnifiedDiff.Parse(unified_diff);
                // Read and rewritten through one checked handle: the file written is the file that was checked.
                using var file = guard.Open(path, FileAccess.ReadWrite);
                var patched = Encoding.UTF8.GetBytes(diff.Apply(ReadText(file, path, "apply_patch")));
                file.Position = 0;
                file.SetLength(0);
                file.Write(patched);
                return new { path = guard.ToRelative(guard.Resolve(path)), applied = true, hunks = diff.Hunks.Count, added = diff.Added, removed = diff.Removed };
            },
            sideEffecting: true);
    }

    private static string ReadText(PathGuard guard, string path, string tool)
    {
        if (!File.Exists(guard.Resolve(path)))
        {
            throw new FileNotFoundException($"{tool}: '{path}' is not a file under the tool root.");
        }
        using var file = guard.Open(path);
        return ReadText(file, path, tool);
    }

    private static string ReadText(FileStream file, string path, string tool)
    {
        if (file.Length > MaxFileBytes)
        {
            throw new IOException($"{tool}: '{path}' is {file.Length} bytes; the limit is {MaxFileBytes}.");
        }
        var bytes = new byte[file.Length];
        file.ReadExactly(bytes);
        if (bytes.AsSpan(0, Math.Min(bytes.Length, 8192)).IndexOf((byte)0) >= 0)
        {
            throw new IOException($"{tool}: '{path}' is a binary file (NUL byte in its first 8 KiB).");
        }
        return Encoding.UTF8.GetString(bytes);
    }

    private static AIFunction Create(string name, string description, Delegate method, bool sideEffecting = false)
        => AIFunctionFactory.Create(method, new AIFunctionFactoryOptions
        {
            Name = name,
            Description = description,
            AdditionalProperties = sideEffecting ? new Dictionary<string, object?> { [ToolRegistry.SideEffectingKey] = true } : null,
        });
}
