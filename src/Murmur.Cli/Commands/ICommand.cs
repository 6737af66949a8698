using System.CommandLine;

namespace Murmur.Cli.Commands;

/// <summary>One <c>murmur</c> sub-command; add a class under <c>Commands/</c> and list it in <see cref="CommandLine"/>.</summary>
internal interface ICommand
{
    /// <summary>
    /// The command's one definition — name, summary, options, arguments, sub-commands, help text and action — from
    /// which System.CommandLine parses, validates, prints help and completes.
    /// </summary>
    Command Build();
}
