using Murmur.Causality;

namespace Murmur.Cli.Commands;

/// <summary>Parses a <c>--roster A,B,C</c> value.</summary>
internal static class RosterArgument
{
    /// <summary>The roster named by <paramref name="value"/>, in order.</summary>
    /// <exception cref="UsageException">A name is empty or repeated.</exception>
    public static Roster Parse(string value)
    {
        var names = value.Split(',', StringSplitOptions.TrimEntries);
        if (names.Any(n => n.Length == 0))
        {
            throw new UsageException($"--roster '{value}' has an empty member name");
        }
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new UsageException($"--roster lists '{duplicate.Key}' twice");
        }
        return Roster.Of(names);
    }
}
