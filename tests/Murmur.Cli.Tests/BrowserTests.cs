using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Murmur.Cli.Tests;

/// <summary>The trace page must draw in a real browser (headless Chromium) without a script error.</summary>
public sealed class BrowserTests : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void RealisticLog_DrawsInChromium_WithoutScriptErrors()
    {
        var body = RenderedBody(TraceLogs.AuthToken);

        Assert.DoesNotContain("data-error", body, StringComparison.Ordinal);
        Assert.Contains("data-rendered=\"ok\"", body, StringComparison.Ordinal);
        Assert.Contains("data-lanes=\"3\"", body, StringComparison.Ordinal);
        Assert.Contains("data-marks=\"22\"", body, StringComparison.Ordinal);
        Assert.Contains("data-arrows=\"23\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public void HostileLog_DrawsInChromium_AndRunsNoInjectedScript()
    {
        var body = RenderedBody(_cli.File(TraceLogs.Small));

        Assert.DoesNotContain("data-error", body, StringComparison.Ordinal);
        Assert.Contains("data-rendered=\"ok\"", body, StringComparison.Ordinal);
        Assert.Contains("data-lanes=\"2\"", body, StringComparison.Ordinal);
        Assert.Contains("data-arrows=\"6\"", body, StringComparison.Ordinal);
    }

    /// <summary>Traces <paramref name="log"/> and returns the opening body tag of the DOM Chromium dumps.</summary>
    private string RenderedBody(string log)
    {
        Assert.True(File.Exists(Chromium),
            $"{Chromium} is missing: run ./test.sh, which installs Debian's chromium package (tests/chromium.sh), or 'apt-get install -y chromium'.");
        var html = _cli.Output("page.html");
        var (exit, _, stderr) = CliRun.Run("trace", log, "--html", html);
        Assert.True(exit is 0 or 1, stderr);

        var start = new ProcessStartInfo(Chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--user-data-dir=" + _cli.Directory("chromium-profile"), "--dump-dom", new Uri(html).AbsoluteUri])
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("chromium did not finish within 2 minutes");
        }
        var dom = stdout.Result;
        var body = Regex.Match(dom, "<body[^>]*>");
        Assert.True(body.Success, $"chromium printed no DOM (exit {process.ExitCode}): {errors.Result}");
        return body.Value;
    }
}
