using Microsoft.Extensions.Logging;

namespace Murmur.Cli.Mesh;

/// <summary>
/// Writes the node's warnings and errors (refused events, read retries) as lines on stderr, prefixed with the command:
/// a command-line node has no logging host, and a refused event must not pass silently.
/// </summary>
internal sealed class WarningLoggerFactory(string command, TextWriter output) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("The murmur command's logger writes to stderr only.");

    public void Dispose()
    {
    }

    private void Write(LogLevel level, string message)
    {
        // Agents' threads log concurrently; a TextWriter is not thread-safe.
        lock (output)
        {
            output.WriteLine($"murmur {command}: {(level == LogLevel.Warning ? "warning" : "error")}: {message}");
        }
    }

    private sealed class Logger(WarningLoggerFactory factory) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                factory.Write(logLevel, exception is null ? formatter(state, exception) : $"{formatter(state, exception)}: {exception.Message}");
            }
        }
    }
}
