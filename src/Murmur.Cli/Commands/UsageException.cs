namespace Murmur.Cli.Commands;

/// <summary>Thrown by argument parsing; the dispatcher prints the message and the command's usage, and exits with 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
