using System.CommandLine;
using Murmur.Cli.Commands;

namespace Murmur.Cli.Tests;

/// <summary>
/// Every command is defined once (System.CommandLine): its help lists exactly what it parses, its errors name the
/// option or argument at fault in one line, and the shell can complete it.
/// </summary>
public sealed class CommandDefinitionTests
{
    /// <summary>Every command and sub-command, as the words that select it (e.g. <c>tool call</c>).</summary>
    public static TheoryData<string> EveryCommand()
    {
        var data = new TheoryData<string>();
        foreach (var command in CommandLine.BuildRoot().Subcommands)
        {
            data.Add(command.Name);
            foreach (var sub in command.Subcommands)
            {
                data.Add($"{command.Name} {sub.Name}");
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public void Help_ListsEveryOptionTheCommandParses_UnderOptions(string path)
    {
        var words = path.Split(' ');
        Command command = CommandLine.BuildRoot();
        foreach (var word in words)
        {
            command = command.Subcommands.Single(c => c.Name == word);
        }

        var (exit, help, error) = CliRun.Run([.. words, "--help"]);

        Assert.True(exit == 0, error);
        var options = help[help.IndexOf("Options:", StringComparison.Ordinal)..];
        Assert.All(command.Options, o => Assert.Contains(o.HelpName is null ? $"  {o.Name}" : $"  {o.Name} <{o.HelpName}>", options, StringComparison.Ordinal));
        Assert.Contains($"murmur {path}", help, StringComparison.Ordinal);
    }

    [Fact]
    public void TopLevelHelp_ListsEveryCommand_WithItsSummary()
    {
        var (exit, help, _) = CliRun.Run("--help");

        Assert.Equal(0, exit);
        Assert.All(CommandLine.BuildRoot().Subcommands, c => Assert.Contains(c.Description!, help, StringComparison.Ordinal));
        Assert.Equal(help, CliRun.Run("help").Stdout);
    }

    [Theory]
    [InlineData("demo --fast", "murmur demo: unknown option '--fast'.")]
    [InlineData("log tail --topic t --colour", "murmur log: unknown option '--colour'.")]
    [InlineData("tool run --bogus grep_search --root .", "murmur tool: unknown option '--bogus'.")]
    [InlineData("keys new --node n1 --out d --nats-user u", "murmur keys: unknown option '--nats-user'.")]
    [InlineData("nodes --log nats://127.0.0.1:1 --watch 5", "murmur nodes: unknown option '--watch'.")]
    [InlineData("frobnicate", "murmur: unknown command 'frobnicate'.")]
    public void AnUnknownOption_NamesItself_InOneLine(string line, string expected)
    {
        var (exit, stdout, stderr) = CliRun.Run(line.Split(' '));

        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        var lines = stderr.TrimEnd().Split('\n');
        Assert.Equal(expected, lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.Contains("--help", lines[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("log tail --log nats://127.0.0.1:1", "murmur log: --topic is required.")]
    [InlineData("keys new --out d", "murmur keys: --node is required.")]
    [InlineData("keys nats-user", "murmur keys: --out is required.")]
    [InlineData("mcp serve", "murmur mcp: --root is required.")]
    [InlineData("node --agents coder --log nats://127.0.0.1:1", "murmur node: --root is required.")]
    [InlineData("causal", "murmur causal: missing FILE.")]
    [InlineData("tool", "murmur tool: missing sub-command: 'run', 'call', 'list'.")]
    [InlineData("log tail --topic t --sign-key --log nats://127.0.0.1:1", "murmur log: '--sign-key' needs a value (FILE).")]
    [InlineData("demo --think-ms soon", "murmur demo: '--think-ms' takes a whole number; got 'soon'.")]
    [InlineData("demo --think-ms 20000", "murmur demo: --think-ms takes a whole number of milliseconds from 0 to 10000.")]
    [InlineData("log tail --topic t --from 0", "murmur log: --from takes a position from 1.")]
    [InlineData("log follow --topic t", "murmur log: Argument 'follow' not recognized. Must be one of:")]
    public void AMissingOrBadRequiredValue_NamesTheOption(string line, string expected)
    {
        var (exit, _, stderr) = CliRun.Run(line.Split(' '));

        Assert.Equal(2, exit);
        Assert.StartsWith(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void BadJsonInArgs_OfToolCall_IsTheSameClearMessage()
    {
        var (exit, _, error) = CliRun.Run("tool", "call", "grep_search", "--log", "nats://127.0.0.1:1", "--args", "{\"query\":}");

        Assert.Equal(1, exit);
        Assert.StartsWith("murmur tool: --args is not valid JSON: ", error, StringComparison.Ordinal);
        Assert.Contains("at character 10:\n  {\"query\":}\n           ^", error, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", error, StringComparison.Ordinal);
        Assert.DoesNotContain("BytePositionInLine", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("murmur t", "task\ntool\ntrace\n")]
    [InlineData("murmur tool ", "call\nlist\nrun\n")]
    [InlineData("murmur log --no", "--no-follow\n")]
    [InlineData("murmur log ", "dead-letters\ntail\n")]
    public void TheSuggestDirective_CompletesCommandsOptionsAndValues(string line, string expected)
    {
        var (exit, stdout, _) = CliRun.Run($"[suggest:{line.Length}]", line);

        Assert.Equal(0, exit);
        Assert.Equal(expected, Filter(stdout, expected));
    }

    /// <summary>The suggestions that start like the expected ones (an empty word also lists every option).</summary>
    private static string Filter(string stdout, string expected)
    {
        var wanted = expected.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(w => w[..1]).ToHashSet();
        return string.Concat(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(w => wanted.Contains(w[..1])).Select(w => w + "\n"));
    }
}
