using System.Text.RegularExpressions;

namespace Murmur.Cli.Tests;

public sealed class TraceCommandTests : IDisposable
{
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    private (int Exit, string Html, string Stderr) Trace(string[] lines, params string[] extra)
    {
        var html = _cli.Output("out.html");
        var (exit, _, stderr) = CliRun.Run(["trace", _cli.File(lines), "--html", html, .. extra]);
        return (exit, File.Exists(html) ? File.ReadAllText(html) : "", stderr);
    }

    private static int Count(string html, string pattern) => Regex.Matches(html, pattern).Count;

    [Fact]
    public void SmallLog_DrawsLanesMarksAndArrows()
    {
        var (_, html, _) = Trace(TraceLogs.Small);

        Assert.Equal(2, Count(html, "<g class=\"lane\""));
        Assert.Equal(8, Count(html, "<g class=\"ev[ \"]"));
        Assert.Equal(5, Count(html, "<path class=\"arrow causal\""));
        Assert.Equal(1, Count(html, "<path class=\"arrow dep\" data-from=\"3\" data-to=\"6\""));
        Assert.Equal(6, Count(html, "<line class=\"seg\""));
        Assert.Contains("<path class=\"arrow causal\" data-from=\"4\" data-to=\"5\"", html, StringComparison.Ordinal); // ad -> bd
        Assert.Contains("<path class=\"arrow causal\" data-from=\"5\" data-to=\"6\"", html, StringComparison.Ordinal); // bd -> a2
    }

    [Fact]
    public void SpeculationCommitAndRounds_AreMarked()
    {
        var (_, html, _) = Trace(TraceLogs.Small);

        Assert.Contains("<g class=\"ev spec\" data-i=\"6\"", html, StringComparison.Ordinal);
        Assert.Contains("<g class=\"ev commit\" data-i=\"7\"", html, StringComparison.Ordinal);
        Assert.Equal(2, Count(html, "<g class=\"ev round-done\""));
        Assert.Equal(1, Count(html, "<g class=\"barrier\">"));
        Assert.Contains(">round 2</text>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void HostileText_IsEscaped_AndThePageIsSelfContained()
    {
        var (_, html, _) = Trace(TraceLogs.Small);

        Assert.DoesNotContain("<script>alert", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>bad</b>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;bad&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.Contains("\\u003Cscript\\u003Ealert(1)", html, StringComparison.Ordinal);
        Assert.Equal(2, Count(html, "<script")); // the data block and the page's script
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        Assert.DoesNotContain("{{", html, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectedLines_AreListedInThePage_AndExitWith1()
    {
        var (exit, html, stderr) = Trace(TraceLogs.Small);

        Assert.Equal(1, exit);
        Assert.Equal(1, Count(html, "<li class=\"rejected-line\">line 9 "));
        Assert.Contains("line 9: rejected '<b>bad</b>'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void CleanLog_ExitsWith0()
    {
        var (exit, html, stderr) = Trace(TraceLogs.Small[..^1]);

        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.DoesNotContain("id=\"rejected\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void FixedRoster_OrdersTheLanes()
    {
        var (exit, html, _) = Trace(TraceLogs.Small[..^1], "--roster", "A,B");

        Assert.Equal(0, exit);
        Assert.Matches("data-lane=\"0\"[^>]*>.*?>A<title>", html);
        Assert.Matches("data-lane=\"1\"[^>]*>.*?>B<title>", html);
    }

    [Theory]
    [InlineData("trace")]
    [InlineData("trace", "log.jsonl")]
    [InlineData("trace", "log.jsonl", "--html")]
    [InlineData("trace", "log.jsonl", "--html", "a.html", "--bogus")]
    [InlineData("trace", "log.jsonl", "--html", "a.html", "--html", "b.html")]
    [InlineData("trace", "log.jsonl", "--html", "a.html", "--roster", "A,,B")]
    public void BadArguments_ExitWith2(params string[] args)
    {
        var (exit, _, stderr) = CliRun.Run(args);

        Assert.Equal(2, exit);
        Assert.Matches(@"^murmur trace: .+\nRun 'murmur trace --help' for its options\.\n$", stderr);
    }

    [Fact]
    public void UnreadableLog_IsAClearUsageError()
    {
        var (exit, _, stderr) = CliRun.Run("trace", _cli.Output("missing.jsonl"), "--html", _cli.Output("o.html"));

        Assert.Equal(2, exit);
        Assert.Contains("murmur trace: cannot read '", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void UnwritableOutput_ExitsWith2()
    {
        var (exit, _, stderr) = CliRun.Run("trace", _cli.File(TraceLogs.Small[..^1]), "--html", _cli.Output("no/such/dir/o.html"));

        Assert.Equal(2, exit);
        Assert.Contains("murmur trace: cannot write '", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AsAProcess_WritesThePage()
    {
        var html = _cli.Output("proc.html");

        var (exit, stdout, _) = CliRun.RunProcess("trace", TraceLogs.AuthToken, "--html", html);

        Assert.Equal(0, exit);
        Assert.Contains("22 event(s) on 3 lane(s)", stdout, StringComparison.Ordinal);
        Assert.Equal(3, Count(File.ReadAllText(html), "<g class=\"lane\""));
    }
}
