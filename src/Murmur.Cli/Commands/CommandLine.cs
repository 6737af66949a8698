using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace Murmur.Cli.Commands;

/// <summary>
/// The <c>murmur</c> entry point: one System.CommandLine tree built from every command's definition parses the
/// arguments, prints help and completions (<c>murmur "[suggest:N]" "LINE"</c>), and runs the chosen command.
/// </summary>
public static class CommandLine
{
    /// <summary>The known commands, in the order help lists them.</summary>
    internal static IReadOnlyList<ICommand> Commands { get; } = [new DemoCommand(), new NodeCommand(), new NodesCommand(), new TaskCommand(), new LogCommand(), new RunCommand(), new TraceCommand(), new CausalCommand(), new ToolCommand(), new KeysCommand(), new McpCommand(), new ApprovalsCommand(), new DecideCommand(approve: true), new DecideCommand(approve: false), new DashboardCommand()];

    /// <summary>The process entry point.</summary>
    public static int Execute(IReadOnlyList<string> args) => Run(args, Console.Out, Console.Error);

    /// <summary>Builds the command tree: the root, its <c>--verbose</c> option and every command.</summary>
    /// <remarks>
    /// The root is a plain <see cref="Command"/> named <c>murmur</c>, not a <see cref="RootCommand"/>, whose name is the
    /// executable's (<c>Murmur.Cli</c>, <c>testhost</c>…); so help reads <c>murmur</c> however it is started, and
    /// <see cref="Run"/> answers the <c>[suggest:N]</c> directive itself.
    /// </remarks>
    internal static Command BuildRoot()
    {
        var root = new MurmurCommand("murmur", "murmur: LLM agents as processes that coordinate over a replayable event log.")
        {
            Details = "Run 'murmur COMMAND --help' (or 'murmur help COMMAND') for a command's options, what it prints and its exit codes.",
        };
        foreach (var command in Commands)
        {
            root.Subcommands.Add(command.Build());
        }
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption());
        root.Options.Add(Verbose);
        RefuseOptionNamesAsValues(root);
        foreach (var help in root.Options.OfType<HelpOption>())
        {
            help.Action = new DetailedHelpAction((HelpAction)help.Action!);
        }
        return root;
    }

    /// <summary>
    /// System.CommandLine takes the token after an option as its value even when it is another option's name
    /// (<c>--sign-key --log URL</c>); that is an option given without its value.
    /// </summary>
    private static void RefuseOptionNamesAsValues(Command command)
    {
        var names = command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var option in command.Options.Where(o => o.Arity.MaximumNumberOfValues > 0 && o.ValueType != typeof(bool)))
        {
            option.Validators.Add(result =>
            {
                if (result.Tokens.Any(t => names.Contains(t.Value)))
                {
                    result.AddError($"'{option.Name}' needs a value ({option.HelpName ?? "VALUE"}).");
                }
            });
        }
        foreach (var sub in command.Subcommands)
        {
            RefuseOptionNamesAsValues(sub);
        }
    }

    private static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "on an unexpected error, print the stack trace too",
        Recursive = true,
    };

    /// <summary>Runs <c>murmur</c> with <paramref name="args"/>, writing to the given streams; returns the exit code.</summary>
    internal static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Count > 0 && args[0] == "help")
        {
            args = [.. args.Skip(1), "--help"];
        }
        if (args.Count > 0 && Suggest.Match(args[0]) is { Success: true } suggest)
        {
            return Complete(args.Count > 1 ? args[1] : "", suggest.Groups[1].Success ? int.Parse(suggest.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null, stdout);
        }
        // No response files: an argument that starts with '@' (a JSON value, a file name) is itself.
        var parse = BuildRoot().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var name = CommandName(parse.CommandResult);
        if (parse.Action is ParseErrorAction)
        {
            stderr.WriteLine($"{Prefix(name)}: {FirstError(parse)}");
            stderr.WriteLine(name is null
                ? "Run 'murmur --help' for the commands."
                : $"Run '{string.Join(' ', Path(parse.CommandResult))} --help' for its options.");
            return ExitCodes.Usage;
        }
        var configuration = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            return parse.Invoke(configuration);
        }
        catch (UsageException ex)
        {
            stderr.WriteLine($"{Prefix(name)}: {ex.Message}");
            stderr.WriteLine($"Run '{string.Join(' ', Path(parse.CommandResult))} --help' for its options.");
            return ExitCodes.Usage;
        }
        catch (Exception ex) when (!parse.GetValue(Verbose))
        {
            // One clear line for a person; the stack trace only with --verbose.
            stderr.WriteLine($"{Prefix(name)}: {ex.GetType().Name}: {ex.Message} (run with --verbose for details)");
            return ExitCodes.Failed;
        }
    }

    private static readonly System.Text.RegularExpressions.Regex Suggest = new(@"^\[suggest(?::(\d{1,6}))?\]$");

    /// <summary>
    /// The <c>[suggest:N] "LINE"</c> directive (as System.CommandLine's <c>dotnet-suggest</c> shim calls it): prints the
    /// completions of <c>LINE</c> at character N (default: its end), one per line.
    /// </summary>
    private static int Complete(string line, int? position, TextWriter stdout)
    {
        var parse = BuildRoot().Parse(line, new ParserConfiguration { ResponseFileTokenReplacer = null });
        foreach (var completion in parse.GetCompletions(position is { } p ? Math.Min(p, line.Length) : null))
        {
            stdout.WriteLine(completion.Label);
        }
        return ExitCodes.Ok;
    }

    private static string Prefix(string? name) => name is null ? "murmur" : $"murmur {name}";

    /// <summary>The top-level command chosen (e.g. <c>tool</c> for <c>murmur tool run</c>), or null for the root.</summary>
    private static string? CommandName(CommandResult result)
    {
        var path = Path(result);
        return path.Count > 1 ? path[1] : null;
    }

    private static List<string> Path(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is CommandResult c)
            {
                names.Insert(0, c.Command.Name);
            }
        }
        return names;
    }

    /// <summary>One line that names the option or argument at fault.</summary>
    private static string FirstError(ParseResult parse)
    {
        if (parse.UnmatchedTokens.Count > 0 && !parse.Errors.Any(e => e.SymbolResult is OptionResult or ArgumentResult))
        {
            var token = parse.UnmatchedTokens[0];
            return token.StartsWith('-') && token.Length > 1
                ? $"unknown option '{token}'."
                : parse.CommandResult.Parent is null ? $"unknown command '{token}'." : $"unexpected argument '{token}'.";
        }
        // An option's or argument's own error (a missing or bad value) says more than the tokens it left unmatched.
        var error = parse.Errors.FirstOrDefault(e => e.SymbolResult is OptionResult or ArgumentResult) ?? parse.Errors[0];
        if (error.SymbolResult is OptionResult { Tokens.Count: 0, IdentifierToken: not null, Option: { } option } && option.Arity.MinimumNumberOfValues > 0)
        {
            return $"'{option.Name}' needs a value ({option.HelpName ?? "VALUE"}).";
        }
        if (error.SymbolResult is OptionResult { Tokens: [{ } given, ..], Option: { } typed } && NumberKind(typed.ValueType) is { } kind
            && error.Message.StartsWith("Cannot parse argument", StringComparison.Ordinal))
        {
            return $"'{typed.Name}' takes {kind}; got '{given.Value}'.";
        }
        if (error.SymbolResult is OptionResult { IdentifierToken: null, Option: { Required: true } required })
        {
            return $"{required.Name} is required.";
        }
        if (error.SymbolResult is ArgumentResult { Tokens.Count: 0, Argument: { } argument } && argument.Arity.MinimumNumberOfValues > 0)
        {
            return $"missing {argument.Name}.";
        }
        if (error.SymbolResult is CommandResult { Command: { Action: null, Subcommands.Count: > 0 } parent } missing)
        {
            return missing.Parent is null
                ? "no command given."
                : $"missing sub-command: {string.Join(", ", parent.Subcommands.Select(c => $"'{c.Name}'"))}.";
        }
        return error.Message;
    }

    private static string? NumberKind(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(int) || t == typeof(long) => "a whole number",
        var t when t == typeof(double) => "a number",
        _ => null,
    };
}
