using System.CommandLine;

namespace Murmur.Cli.Commands;

/// <summary>Checks shared by the commands' definitions.</summary>
internal static class CommandArguments
{
    /// <summary>
    /// Makes an unknown <c>--option</c> that System.CommandLine would take as the value of <paramref name="argument"/>
    /// an error that names it ("-" alone stays a value).
    /// </summary>
    public static Argument<T> RefusingOptions<T>(this Argument<T> argument)
    {
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (token.Value.Length > 1 && token.Value[0] == '-')
                {
                    result.AddError($"unknown option '{token.Value}'.");
                    return;
                }
            }
        });
        return argument;
    }

    /// <summary>Adds a check of the option's value: when <paramref name="ok"/> is false, the error is <paramref name="message"/>.</summary>
    public static Option<T> Check<T>(this Option<T> option, Func<T, bool> ok, Func<T, string> message)
    {
        option.Validators.Add(result =>
        {
            T value;
            try
            {
                value = result.GetValueOrDefault<T>()!;
            }
            catch (InvalidOperationException)
            {
                return; // not a T at all: System.CommandLine reports that itself, naming the option
            }
            if (!ok(value))
            {
                result.AddError(message(value));
            }
        });
        return option;
    }
}
