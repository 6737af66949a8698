namespace Murmur.Cli;

/// <summary>One <c>murmur</c> sub-command; add a class under <c>Commands/</c> and list it in <see cref="CommandLine"/>.</summary>
internal interface ICommand
{
    /// <summary>The word that selects the command, e.g. <c>causal</c>.</summary>
    string Name { get; }

    /// <summary>One line for the command list.</summary>
    string Summary { get; }

    /// <summary>The full usage text printed by <c>murmur NAME --help</c>.</summary>
    string Usage { get; }

    /// <summary>Runs the command with the arguments after its name; returns an <see cref="ExitCodes"/> value.</summary>
    int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr);
}
