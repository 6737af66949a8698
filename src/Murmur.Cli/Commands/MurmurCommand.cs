using System.CommandLine;

namespace Murmur.Cli.Commands;

/// <summary>
/// A <see cref="Command"/> whose description is one line (it is also the line in the parent's command list) and
/// whose help ends with <see cref="Details"/>: what it prints, examples and exit codes.
/// </summary>
internal sealed class MurmurCommand(string name, string summary) : Command(name, summary)
{
    /// <summary>Text printed after the options in the command's help, or empty.</summary>
    public string Details { get; init; } = "";

    /// <summary>Sets the action: <paramref name="run"/> gets the parse result, stdout and stderr, and returns an <see cref="ExitCodes"/> value.</summary>
    public void SetRun(Func<ParseResult, TextWriter, TextWriter, int> run)
        => SetAction(parse => run(parse, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
}
