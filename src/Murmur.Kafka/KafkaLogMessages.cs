using Microsoft.Extensions.Logging;

namespace Murmur.Kafka;

/// <summary>Source-generated log messages of the Kafka event log.</summary>
internal static partial class KafkaLogMessages
{
    [LoggerMessage(EventId = 4001, Message = "librdkafka {Client} [{Facility}]: {Message}")]
    public static partial void Client(ILogger logger, LogLevel level, string client, string facility, string message);

    [LoggerMessage(EventId = 4002, Message = "librdkafka {Client} reported {Code}: {Reason}")]
    public static partial void ClientError(ILogger logger, LogLevel level, string client, string code, string reason);

    [LoggerMessage(4003, LogLevel.Information, "A request about Kafka topic {KafkaTopic} failed ({Reason}); retrying (attempt {Attempt}, in {DelayMilliseconds:F0} ms)")]
    public static partial void RequestRetrying(ILogger logger, string kafkaTopic, string reason, int attempt, double delayMilliseconds);

    [LoggerMessage(4004, LogLevel.Information, "The consumer of {What} reported {Reason}; it goes on after offset {Offset} of partition {Partition}")]
    public static partial void ConsumeRetrying(ILogger logger, string what, string reason, int partition, long offset);

    [LoggerMessage(4005, LogLevel.Debug, "Waiting for the partitions of Kafka topic {KafkaTopic} to appear (attempt {Attempt})")]
    public static partial void WaitingForPartitions(ILogger logger, string kafkaTopic, int attempt);
}
