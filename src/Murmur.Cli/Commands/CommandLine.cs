using Murmur.Cli.Commands;

namespace Murmur.Cli;

/// <summary>The <c>murmur</c> entry point: picks a command by its first argument and runs it.</summary>
public static class CommandLine
{
    /// <summary>The known commands.</summary>
    internal static IReadOnlyList<ICommand> Commands { get; } = [new DemoCommand(), new NodeCommand(), new TaskCommand(), new LogCommand(), new RunCommand(), new TraceCommand(), new CausalCommand(), new ToolCommand(), new KeysCommand(), new McpCommand(), new ApprovalsCommand(), new DecideCommand(approve: true), new DecideCommand(approve: false), new DashboardCommand()];

    /// <summary>The process entry point.</summary>
    public static int Execute(IReadOnlyList<string> args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs <c>murmur</c> with <paramref name="args"/>, writing to the given streams; returns the exit code.</summary>
    internal static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Count == 0)
        {
            stderr.WriteLine("murmur: no command given.");
            stderr.Write(Overview());
            return ExitCodes.Usage;
        }
        if (args[0] is "--help" or "-h" or "help")
        {
            if (args.Count > 1 && Find(args[1]) is { } topic)
            {
                stdout.Write(topic.Usage);
                return ExitCodes.Ok;
            }
            stdout.Write(Overview());
            return ExitCodes.Ok;
        }
        if (Find(args[0]) is not { } command)
        {
            stderr.WriteLine($"murmur: unknown command '{args[0]}'.");
            stderr.Write(Overview());
            return ExitCodes.Usage;
        }
        var verbose = args.Contains("--verbose");
        var rest = args.Skip(1).Where(a => a != "--verbose").ToList();
        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            stdout.Write(command.Usage);
            return ExitCodes.Ok;
        }
        try
        {
            return command.Run(rest, stdout, stderr);
        }
        catch (UsageException ex)
        {
            stderr.WriteLine($"murmur {command.Name}: {ex.Message}");
            stderr.Write(command.Usage);
            return ExitCodes.Usage;
        }
        catch (Exception ex) when (!verbose)
        {
            // One clear line for a person; the stack trace only with --verbose.
            stderr.WriteLine($"murmur {command.Name}: {ex.GetType().Name}: {ex.Message} (run with --verbose for details)");
            return ExitCodes.Failed;
        }
    }

    private static ICommand? Find(string name) => Commands.FirstOrDefault(c => c.Name == name);

    private static string Overview()
    {
        var lines = Commands.Select(c => $"  {c.Name,-10} {c.Summary}");
        return "usage: murmur <command> [options]\n\ncommands:\n" + string.Join('\n', lines)
            + "\n\nRun 'murmur <command> --help' for a command's options.\n";
    }
}
