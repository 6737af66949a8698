namespace Murmur.Cli.Commands;

/// <summary>The exit codes every command uses.</summary>
internal static class ExitCodes
{
    /// <summary>The command did everything it was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command ran, but the input had faults (e.g. rejected or undeliverable events).</summary>
    public const int Failed = 1;

    /// <summary>The command could not run: bad flags, missing or unreadable file.</summary>
    public const int Usage = 2;
}
