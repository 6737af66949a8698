using System.Diagnostics;
using Murmur.AI.Tests.Support;
using Murmur.AI.Tools;

namespace Murmur.AI.Tests.Tools;

public sealed class GrepSearchTests : IDisposable
{
    private readonly TempTree _tree = new();

    public GrepSearchTests()
    {
        _tree.Write("src/api/login.py", "def login():\n    log(auth_token)\n    return ok\n");
        _tree.Write("src/web/session.ts", "const auth_token = read();\nsend(AUTH_TOKEN)\n");
        File.WriteAllBytes(Path.Combine(_tree.Root, "src", "blob.bin"), [0x61, 0x75, 0x74, 0x68, 0x5f, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0, 1, 2]);
    }

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void Literal_FindsLinesWithRootRelativeSlashPaths_AndSkipsBinaryFiles()
    {
        var result = new GrepSearch(new PathGuard(_tree.Root)).Search("auth_token", "src");
        Assert.Equal([new GrepMatch("src/api/login.py", 2, "    log(auth_token)"), new GrepMatch("src/web/session.ts", 1, "const auth_token = read();")], result.Matches);
        Assert.Equal(1, result.FilesSkipped);
        Assert.False(result.Truncated);
    }

    [Fact]
    public void Regex_Matches_AndAQueryStartingWithADashIsText()
    {
        var grep = new GrepSearch(new PathGuard(_tree.Root));
        Assert.Equal(2, grep.Search("(?i)auth_token\\)", ".", regex: true).Matches.Count);
        _tree.Write("flags.txt", "rm -rf /\n");
        Assert.Equal("flags.txt", Assert.Single(grep.Search("-rf", ".").Matches).Path);
        Assert.Throws<ArgumentException>(() => grep.Search("([", ".", regex: true));
    }

    [Fact]
    public void MatchLimit_StopsTheSearch_AndSaysSo()
    {
        _tree.Write("many.txt", string.Concat(Enumerable.Repeat("hit\n", 50)));
        var result = new GrepSearch(new PathGuard(_tree.Root), new GrepOptions { MaxMatches = 10 }).Search("hit", ".");
        Assert.Equal(10, result.Matches.Count);
        Assert.True(result.Truncated);
        Assert.Contains("match limit", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void FileLimit_StopsTheSearch()
    {
        var result = new GrepSearch(new PathGuard(_tree.Root), new GrepOptions { MaxFiles = 1 }).Search("auth_token", ".");
        Assert.True(result.Truncated);
        Assert.Contains("file limit", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void CatastrophicRegex_FinishesWithinTheMatchTimeout_AndReportsIt()
    {
        _tree.Write("evil.txt", new string('a', 50_000) + "b\n");
        var timeout = TimeSpan.FromMilliseconds(100);
        var watch = Stopwatch.StartNew();
        var result = new GrepSearch(new PathGuard(_tree.Root), new GrepOptions { MatchTimeout = timeout }).Search("(a+)+$", "evil.txt", regex: true);
        watch.Stop();
        Assert.True(result.Truncated);
        Assert.Contains("regex match timeout (100 ms) at evil.txt:1", result.Reason, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void PathOutsideTheRoot_IsRefused()
        => Assert.Throws<PathRefusedException>(() => new GrepSearch(new PathGuard(_tree.Root)).Search("x", "../"));
}
