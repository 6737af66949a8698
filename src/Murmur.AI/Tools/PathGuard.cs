using System.Runtime.InteropServices;

namespace Murmur.AI.Tools;

/// <summary>
/// Confines tool paths to a root directory: resolves a relative path to its real path (symbolic links
/// followed) and refuses anything that could leave the root or smuggle a traversal past a check.
/// </summary>
/// <remarks>
/// Rules, each with its own message: no NUL byte; at most <see cref="MaxPathLength"/> characters; relative only
/// (no leading '/', no drive); no backslash; no <c>..</c> segment; no percent-encoded dot or separator
/// (<c>%2e</c>, <c>%2f</c>, <c>%5c</c>); no Unicode look-alikes of '.', '/' or '\' (fullwidth <c>．</c>…);
/// the real path (after following every symbolic link) must be the root or under <c>root + '/'</c>, so a
/// sibling such as <c>/root-evil</c> never counts as inside <c>/root</c>; a regular file with more than one
/// hard link is refused (its other name may be outside the root). Paths are names only: no shell ever
/// sees them, so a name starting with '-' is just a name. Thread-safe. A link swapped between the check and
/// the use (TOCTOU) is not defended against; the root is meant to be a tree the agent's host controls.
/// </remarks>
public sealed partial class PathGuard
{
    /// <summary>The longest path accepted, in characters.</summary>
    public const int MaxPathLength = 1024;

    private static readonly char[] LookAlikes =
    [
        '\uFF0E', '\u2024', '\uFE52', '\u3002', '\uFF61', // dots
        '\uFF0F', '\u2215', '\u2044', '\u29F8', '\uFE68', '\uFF3C', '\u29F5', '\u2216', // slashes
    ];

    /// <summary>Creates a guard for <paramref name="root"/>, which must be an existing directory.</summary>
    /// <exception cref="DirectoryNotFoundException">The root does not exist.</exception>
    public PathGuard(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"Tool root '{root}' is not an existing directory.");
        }
        Root = Path.TrimEndingDirectorySeparator(RealPath(full));
    }

    /// <summary>The root as a real path (symbolic links resolved), without a trailing separator.</summary>
    public string Root { get; }

    /// <summary>Resolves a root-relative path (empty or <c>.</c> is the root) to a real path inside the root.</summary>
    /// <exception cref="PathRefusedException">The path breaks a rule; the message names the path and the rule.</exception>
    public string Resolve(string? path)
    {
        path ??= string.Empty;
        CheckText(path);
        var candidate = path.Length == 0 || path == "." ? Root : Path.GetFullPath(Path.Join(Root, path));
        var real = RealPath(candidate);
        if (!IsInside(real))
        {
            throw new PathRefusedException(path, $"it resolves through a symbolic link to '{real}', outside the root '{Root}'");
        }
        if (OperatingSystem.IsLinux() && File.Exists(real) && LinkCount(real) is > 1 and var links)
        {
            throw new PathRefusedException(path, $"it is a file with {links} hard links; a hard-linked file may be reachable from outside the root '{Root}'");
        }
        return real;
    }

    /// <summary>
    /// Resolves <paramref name="path"/> (<see cref="Resolve"/>), opens it, and checks the opened file itself: a
    /// component swapped for a symbolic link out of the root (or the file for a hard link) between the check and the
    /// open is refused, because on Linux the check is made again on the open handle (<c>/proc/self/fd</c>, <c>fstat</c>).
    /// </summary>
    /// <param name="path">The root-relative path.</param>
    /// <param name="access">Read, or read-write for a tool that rewrites the file (it must exist: nothing is created).</param>
    /// <exception cref="PathRefusedException">The path breaks a rule, or changed after the check.</exception>
    public FileStream Open(string? path, FileAccess access = FileAccess.Read)
    {
        var real = Resolve(path);
        AfterResolve?.Invoke(real);
        var stream = new FileStream(real, FileMode.Open, access, access == FileAccess.Read ? FileShare.Read : FileShare.None);
        try
        {
            if (OperatingSystem.IsLinux())
            {
                var fd = (int)stream.SafeFileHandle.DangerousGetHandle();
                var opened = new FileInfo($"/proc/self/fd/{fd}").LinkTarget ?? real;
                if (!IsInside(opened))
                {
                    throw new PathRefusedException(path ?? "", $"it changed after it was checked: the file opened is '{opened}', outside the root '{Root}'");
                }
                if (HandleLinkCount(fd) is > 1 and var links)
                {
                    throw new PathRefusedException(path ?? "", $"it changed after it was checked: the file opened has {links} hard links");
                }
            }
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Test seam: runs between the check and the open, to swap a path as an attacker racing the tool would.</summary>
    internal Action<string>? AfterResolve { get; set; }

    /// <summary>The path of <paramref name="realPath"/> relative to the root, with '/' separators.</summary>
    public string ToRelative(string realPath)
    {
        var relative = Path.GetRelativePath(Root, realPath);
        return relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    /// <summary>True when a real path is the root or under it (a sibling with the same prefix is not).</summary>
    public bool IsInside(string realPath)
        => string.Equals(realPath, Root, StringComparison.Ordinal)
        || (realPath.StartsWith(Root, StringComparison.Ordinal) && realPath.Length > Root.Length && realPath[Root.Length] == Path.DirectorySeparatorChar)
        || (Root == "/" && realPath.StartsWith('/'));

    private static void CheckText(string path)
    {
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new PathRefusedException(path, "it contains a NUL byte");
        }
        if (path.Length > MaxPathLength)
        {
            throw new PathRefusedException(path, $"it is {path.Length} characters long; the limit is {MaxPathLength}");
        }
        if (Path.IsPathRooted(path) || path.StartsWith('/'))
        {
            throw new PathRefusedException(path, "absolute paths are not allowed; give a path relative to the tool root");
        }
        if (path.Contains('\\', StringComparison.Ordinal))
        {
            throw new PathRefusedException(path, "backslashes are not allowed; separate directories with '/'");
        }
        if (path.Contains("%2e", StringComparison.OrdinalIgnoreCase) || path.Contains("%2f", StringComparison.OrdinalIgnoreCase) || path.Contains("%5c", StringComparison.OrdinalIgnoreCase))
        {
            throw new PathRefusedException(path, "it contains a percent-encoded '.', '/' or '\\' (encoded traversal); paths are never URL-decoded");
        }
        if (path.IndexOfAny(LookAlikes) is >= 0 and var at)
        {
            throw new PathRefusedException(path, $"it contains U+{(int)path[at]:X4}, a Unicode look-alike of '.' or '/' (e.g. fullwidth dots)");
        }
        foreach (var segment in path.Split('/'))
        {
            if (segment == "..")
            {
                throw new PathRefusedException(path, "'..' segments are not allowed (they could escape the root)");
            }
        }
    }

    /// <summary>Follows every symbolic link of every component; components that do not exist are kept as they are.</summary>
    private static string RealPath(string fullPath)
    {
        var parts = fullPath.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var current = Path.GetPathRoot(fullPath) ?? "/";
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Join(current, parts[i]);
            // FileInfo reads the entry itself (lstat), so this also sees links to directories and dangling links.
            var entry = new FileInfo(next);
            if (entry.LinkTarget is not null)
            {
                // A loop resolves to null: keep the link's own path; a dangling link resolves to its (missing) target.
                FileSystemInfo? target;
                try
                {
                    target = entry.ResolveLinkTarget(returnFinalTarget: true);
                }
                catch (IOException)
                {
                    target = null; // a link cycle: the link itself stays the path, and any use of it fails
                }
                next = target is null ? next : RealPath(Path.GetFullPath(target.FullName));
            }
            current = next;
        }
        return current;
    }

    private static long LinkCount(string path)
    {
        // statx has the same layout on every Linux architecture: stx_nlink is a u32 at offset 16.
        const int AtFdCwd = -100;
        const int AtSymlinkNoFollow = 0x100;
        const uint StatxNlink = 0x4;
        var buffer = new byte[256];
        return Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxNlink, buffer) == 0 ? BitConverter.ToUInt32(buffer, 16) : 1;
    }

    private static long HandleLinkCount(int fd)
    {
        const int AtEmptyPath = 0x1000;
        const uint StatxNlink = 0x4;
        var buffer = new byte[256];
        return Statx(fd, "", AtEmptyPath, StatxNlink, buffer) == 0 ? BitConverter.ToUInt32(buffer, 16) : 1;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, [Out] byte[] buffer);
}
