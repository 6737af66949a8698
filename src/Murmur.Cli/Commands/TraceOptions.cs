namespace Murmur.Cli.Commands;

/// <summary>The parsed arguments of <see cref="TraceCommand"/>.</summary>
internal sealed record TraceOptions(string Log, string? Html, string? ShiViz, Roster? Roster)
{
    /// <summary>Parses <c>LOG [--html OUT] [--shiviz OUT] [--roster A,B,C]</c> (also <c>--flag=value</c>).</summary>
    /// <exception cref="UsageException">The arguments are wrong.</exception>
    public static TraceOptions Parse(IReadOnlyList<string> args)
    {
        string? log = null, html = null, shiviz = null, roster = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var flag = arg.StartsWith("--", StringComparison.Ordinal) && eq > 0 ? arg[..eq] : arg;
            switch (flag)
            {
                case "--html":
                    Set(ref html, flag, Value(args, ref i, eq));
                    break;
                case "--shiviz":
                    Set(ref shiviz, flag, Value(args, ref i, eq));
                    break;
                case "--roster":
                    Set(ref roster, flag, Value(args, ref i, eq));
                    break;
                default:
                    if (arg.StartsWith('-') && arg != "-")
                    {
                        throw new UsageException($"unknown option '{arg}'");
                    }
                    if (log is not null)
                    {
                        throw new UsageException($"only one LOG is accepted; got '{log}' and '{arg}'");
                    }
                    log = arg;
                    break;
            }
        }
        if (log is null)
        {
            throw new UsageException("missing LOG");
        }
        if (html is null && shiviz is null)
        {
            throw new UsageException("nothing to write: give --html OUT.html and/or --shiviz OUT.log");
        }
        return new TraceOptions(log, html, shiviz, roster is null ? null : RosterArgument.Parse(roster));
    }

    private static string Value(IReadOnlyList<string> args, ref int i, int eq)
    {
        var arg = args[i];
        if (eq > 0 && arg.StartsWith("--", StringComparison.Ordinal))
        {
            return arg[(eq + 1)..];
        }
        if (i + 1 >= args.Count)
        {
            throw new UsageException($"{arg} needs a value");
        }
        return args[++i];
    }

    private static void Set(ref string? field, string flag, string value)
    {
        if (field is not null)
        {
            throw new UsageException($"{flag} was given twice");
        }
        if (value.Length == 0)
        {
            throw new UsageException($"{flag} needs a non-empty value");
        }
        field = value;
    }
}
