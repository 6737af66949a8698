using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Murmur.Logs;

namespace Murmur.Kafka;

/// <summary>
/// Routes librdkafka's log lines and error events to an <see cref="ILogger"/> instead of stderr. A broker that cannot
/// be reached makes librdkafka log a line per connection attempt; the call that needed the broker throws an
/// <see cref="EventLogException"/> anyway, so these lines are diagnostics: Information at most, unless librdkafka
/// calls them critical or the error is fatal.
/// </summary>
internal sealed class KafkaClientLogging(ILogger logger)
{
    /// <summary>librdkafka's <c>log_level</c> (syslog severity): lines the logger would drop are never formatted.</summary>
    public string LibraryLevel => logger.IsEnabled(LogLevel.Trace) ? "7"
        : logger.IsEnabled(LogLevel.Debug) ? "6"
        : logger.IsEnabled(LogLevel.Information) ? "4"
        : logger.IsEnabled(LogLevel.Error) ? "2"
        : "0";

    public void OnLog(IClient client, LogMessage message)
    {
        var level = LevelOf(message.Level);
        if (logger.IsEnabled(level))
        {
            KafkaLogMessages.Client(logger, level, message.Name, message.Facility, message.Message);
        }
    }

    public void OnError(IClient client, Error error)
    {
        var level = error.IsFatal ? LogLevel.Error : LogLevel.Debug;
        if (logger.IsEnabled(level))
        {
            KafkaLogMessages.ClientError(logger, level, client.Name, error.Code.ToString(), error.Reason);
        }
    }

    /// <summary>The level of a librdkafka line: critical and worse stay errors; errors and warnings of a client that recovers by itself are Information.</summary>
    public static LogLevel LevelOf(SyslogLevel level) => level switch
    {
        SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Error,
        SyslogLevel.Error or SyslogLevel.Warning => LogLevel.Information,
        SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Debug,
        _ => LogLevel.Trace,
    };
}
