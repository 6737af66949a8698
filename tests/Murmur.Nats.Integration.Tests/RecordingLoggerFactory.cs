using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Murmur.Nats.Integration.Tests;

/// <summary>Keeps every log line (warnings and above by default) with the time since it was created, for a failing test to print.</summary>
public sealed class RecordingLoggerFactory(LogLevel minimum = LogLevel.Warning) : ILoggerFactory
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public ConcurrentQueue<string> Lines { get; } = new();

    /// <summary>Raised after each line is added (on the logging thread).</summary>
    public event Action? LineAdded;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerFactory factory, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= factory.Minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var error = exception is null ? string.Empty : $" [{exception.GetType().Name}: {exception.Message}]";
                factory.Lines.Enqueue($"{factory._clock.Elapsed.TotalSeconds,8:F2}s {logLevel} {category}: {formatter(state, exception)}{error}");
                factory.LineAdded?.Invoke();
            }
        }
    }

    private LogLevel Minimum => minimum;
}
