namespace Murmur.Cli.Tests;

/// <summary>Help that lists what usage shows, and errors a person can act on.</summary>
public sealed class HelpAndErrorTests
{
    [Fact]
    public void LogHelp_ListsEveryOptionItsUsageShows()
    {
        var (exit, help, _) = CliRun.Run("log", "--help");

        Assert.Equal(0, exit);
        var options = help[help.IndexOf("Options:", StringComparison.Ordinal)..];
        Assert.Contains("--from <N>", options, StringComparison.Ordinal);
        Assert.Contains("--no-follow", options, StringComparison.Ordinal);
        Assert.Contains("--topic <T>", options, StringComparison.Ordinal);
    }

    [Fact]
    public void TopLevelHelp_NamesToolCall_AndTheApprovalCommands()
    {
        var (exit, help, _) = CliRun.Run("--help");

        Assert.Equal(0, exit);
        Assert.Contains("'tool call'", help, StringComparison.Ordinal);
        Assert.Contains("  approvals ", help, StringComparison.Ordinal);
        Assert.Contains("  approve ", help, StringComparison.Ordinal);
        Assert.Contains("  deny ", help, StringComparison.Ordinal);
    }

    [Fact]
    public void BadJsonInArgs_SaysWhereAndHowToQuoteIt_WithoutSystemTextJsonPositions()
    {
        var (exit, _, error) = CliRun.Run("tool", "run", "grep_search", "--root", ".", "--args", "{'query':'x'}");

        Assert.Equal(1, exit);
        Assert.DoesNotContain("LineNumber", error, StringComparison.Ordinal);
        Assert.Contains("--args is not valid JSON", error, StringComparison.Ordinal);
        Assert.Contains("at character 2:\n  {'query':'x'}\n   ^", error, StringComparison.Ordinal);
        Assert.Contains("double-quoted names and strings", error, StringComparison.Ordinal);
    }

    [Fact]
    public void DenyWithoutAReason_IsAUsageError()
    {
        var (exit, _, error) = CliRun.Run("deny", "evt_1", "--log", "nats://127.0.0.1:1");

        Assert.Equal(2, exit);
        Assert.Contains("--reason is required", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ApproveWithoutACallId_IsAUsageError_ThatSaysWhereToFindOne()
    {
        var (exit, _, error) = CliRun.Run("approve", "--log", "nats://127.0.0.1:1");

        Assert.Equal(2, exit);
        Assert.Contains("murmur approvals --log URL", error, StringComparison.Ordinal);
    }
}
