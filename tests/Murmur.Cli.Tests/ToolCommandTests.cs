namespace Murmur.Cli.Tests;

public sealed class ToolCommandTests : IDisposable
{
    private readonly CliRun _cli = new();
    private readonly string _root;

    public ToolCommandTests()
    {
        _root = _cli.Directory("tree");
        Directory.CreateDirectory(Path.Combine(_root, "src"));
        File.WriteAllText(Path.Combine(_root, "src", "auth.cs"), "var t = auth_token;\nvar u = 1;\n");
        File.WriteAllText(Path.Combine(_root, "readme.md"), "no match here\n");
    }

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Grep_PrintsTheJsonResult()
    {
        var (exit, stdout, stderr) = CliRun.Run("tool", "run", "grep_search", "--root", _root, "--args", """{"query":"auth_token","path":"."}""");

        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Contains("\"path\":\"src/auth.cs\"", stdout, StringComparison.Ordinal);
        Assert.Contains("\"line\":1", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("readme.md", stdout, StringComparison.Ordinal);
        using var _ = System.Text.Json.JsonDocument.Parse(stdout);
    }

    [Fact]
    public void ReadFile_AsAProcess()
    {
        var (exit, stdout, _) = CliRun.RunProcess("tool", "run", "read_file", "--root", _root, "--args", """{"path":"src/auth.cs","count":1}""");

        Assert.Equal(0, exit);
        Assert.Contains("\"lines\":[\"var t = auth_token;\"]", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownTool_ListsTheKnownOnes()
    {
        var (exit, stdout, stderr) = CliRun.Run("tool", "run", "rm_rf", "--root", _root);

        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Contains("unknown tool 'rm_rf'; known tools: grep_search, read_file, list_files, propose_patch, apply_patch", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"query\":", "--args is not valid JSON")]
    [InlineData("[1,2]", "--args must be a JSON object")]
    public void BadJson_Exits1(string json, string message)
    {
        var (exit, _, stderr) = CliRun.Run("tool", "run", "grep_search", "--root", _root, "--args", json);

        Assert.Equal(1, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingRoot_Exits1()
    {
        var (exit, _, stderr) = CliRun.Run("tool", "run", "list_files", "--root", Path.Combine(_root, "nope"));

        Assert.Equal(1, exit);
        Assert.Contains("the root folder '", stderr, StringComparison.Ordinal);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusedPath_AndToolErrors_Exit1WithoutAStackTrace()
    {
        var (exit, _, stderr) = CliRun.Run("tool", "run", "read_file", "--root", _root, "--args", """{"path":"../../etc/passwd"}""");
        var (missingExit, _, missingStderr) = CliRun.Run("tool", "run", "grep_search", "--root", _root, "--args", "{}");

        Assert.Equal(1, exit);
        Assert.Contains("refused", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Equal(1, missingExit);
        Assert.Contains("query", missingStderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tool")]
    [InlineData("tool", "walk")]
    [InlineData("tool", "run", "grep_search")]
    [InlineData("tool", "run", "--root", ".")]
    [InlineData("tool", "run", "grep_search", "--root", ".", "--bogus")]
    [InlineData("tool", "call")]
    [InlineData("tool", "call", "grep_search")]
    [InlineData("tool", "call", "grep_search", "--log", "http://x")]
    [InlineData("tool", "call", "grep_search", "--log", "nats://127.0.0.1:1", "--wait", "soon")]
    [InlineData("tool", "call", "grep_search", "read_file", "--log", "nats://127.0.0.1:1")]
    public void BadArguments_ExitWith2(params string[] args)
    {
        var (exit, _, stderr) = CliRun.Run(args);

        Assert.Equal(2, exit);
        Assert.Matches(@"^murmur tool: .+\nRun 'murmur tool( run| call)? --help' for its options\.\n$", stderr);
    }

    [Fact]
    public void Call_ToAnUnreachableLog_IsOneClearLine_AndExit1()
    {
        var (exit, stdout, stderr) = CliRun.Run("tool", "call", "grep_search", "--log", "nats://127.0.0.1:1", "--wait", "5");

        Assert.Equal(1, exit);
        Assert.Empty(stdout);
        Assert.StartsWith("murmur tool: Cannot open the NATS event log at nats://127.0.0.1:1", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void List_NamesTheTools()
    {
        var (exit, stdout, _) = CliRun.Run("tool", "list");

        Assert.Equal(0, exit);
        Assert.StartsWith("grep_search", stdout, StringComparison.Ordinal);
        Assert.Contains("apply_patch", stdout, StringComparison.Ordinal);
    }
}
