using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Murmur.Cli.Commands;

/// <summary>System.CommandLine's help, followed by the command's <see cref="MurmurCommand.Details"/>.</summary>
internal sealed class DetailedHelpAction(HelpAction standard) : SynchronousCommandLineAction
{
    /// <inheritdoc/>
    public override bool ClearsParseErrors => true;

    /// <inheritdoc/>
    public override int Invoke(ParseResult parseResult)
    {
        standard.Invoke(parseResult);
        if (parseResult.CommandResult.Command is MurmurCommand { Details.Length: > 0 } command)
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine(command.Details.TrimEnd());
            output.WriteLine();
        }
        return ExitCodes.Ok;
    }
}
