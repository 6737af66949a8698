using Microsoft.Extensions.Logging;

namespace Murmur.Nats;

/// <summary>Source-generated log messages of the NATS event log.</summary>
internal static partial class NatsLogMessages
{
    [LoggerMessage(3001, LogLevel.Information, "An append to topic {Topic} was not acknowledged ({Reason}); retrying with the same id (attempt {Attempt}, in {DelayMilliseconds:F0} ms)")]
    public static partial void AppendRetrying(ILogger logger, string topic, string reason, int attempt, double delayMilliseconds);

    [LoggerMessage(3002, LogLevel.Warning, "The follower of topic {Topic} received nothing for {StallSeconds:F0} s although the topic ends at {End}, beyond {Last}; replacing its consumer")]
    public static partial void ConsumerStalled(ILogger logger, string topic, double stallSeconds, long end, long last);

    [LoggerMessage(3004, LogLevel.Warning, "The follower of topic {Topic} replaced {Passes} consumers in a row that delivered nothing; reading on from {Last} towards {End} with direct gets")]
    public static partial void ReadingOnWithGets(ILogger logger, string topic, int passes, long last, long end);

    [LoggerMessage(3005, LogLevel.Warning, "The stalled consumer of topic {Topic} did not end when cancelled; it is abandoned and a new one is created")]
    public static partial void ConsumeAbandoned(ILogger logger, string topic);

    [LoggerMessage(3006, LogLevel.Information, "Appends in flight on stream {Stream} are sent again at once: {Reason}")]
    public static partial void ResendingInFlight(ILogger logger, string stream, string reason);

    [LoggerMessage(3007, LogLevel.Warning, "Watching the leader elections of stream {Stream} ended: {Reason}; in-flight appends wait for their timeout instead")]
    public static partial void LeaderWatchEnded(ILogger logger, string stream, string reason);

    [LoggerMessage(3008, LogLevel.Information, "A read of topic {Topic} was not answered ({Reason}); retrying (attempt {Attempt})")]
    public static partial void ReadRetrying(ILogger logger, string topic, string reason, int attempt);

    [LoggerMessage(3009, LogLevel.Information, "The consumer of topic {Topic} skipped a record (consumer sequence {Actual}, expected {Expected}); replacing it from after {Last}")]
    public static partial void ConsumerGap(ILogger logger, string topic, ulong expected, ulong actual, long last);

    [LoggerMessage(3010, LogLevel.Information, "The consume of topic {Topic} failed ({Reason}); replacing its consumer")]
    public static partial void ConsumeFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(3003, LogLevel.Debug, "The follower of topic {Topic} could not read the topic's end while checking for a stall: {Reason}")]
    public static partial void StallCheckFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(3011, LogLevel.Warning, "The follower of topic {Topic} received nothing for {Checks} checks and the servers could not say where the topic ends; replacing its consumer")]
    public static partial void ConsumerSilent(ILogger logger, string topic, int checks);

    [LoggerMessage(3020, LogLevel.Warning, "Topic {Topic}: skipped a second copy of event {EventId} at position {Position} (the first is at {First}; the servers stored a retried append twice)")]
    public static partial void DuplicateSkipped(ILogger logger, string topic, string eventId, long position, long first);
}
