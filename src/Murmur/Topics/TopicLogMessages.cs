using Microsoft.Extensions.Logging;

namespace Murmur.Topics;

/// <summary>Source-generated log messages of topics.</summary>
internal static partial class TopicLogMessages
{
    [LoggerMessage(20, LogLevel.Warning, "Reading topic {Topic} from position {Position} failed; retrying")]
    public static partial void ReadFailed(ILogger logger, string topic, long position, Exception exception);

    [LoggerMessage(21, LogLevel.Warning, "Refused an event of topic {Topic} at position {Position}: {Reason}")]
    public static partial void Refused(ILogger logger, string topic, long position, string reason);

    [LoggerMessage(22, LogLevel.Warning, "Append of {EventId} to topic {Topic} failed (attempt {Attempt}); retrying with the same event id")]
    public static partial void AppendRetry(ILogger logger, string topic, string eventId, int attempt, Exception exception);

    [LoggerMessage(23, LogLevel.Warning, "The log's firehose failed ({Failures} in a row); opening a new one, every topic catches up from where it stopped")]
    public static partial void FirehoseFailed(ILogger logger, int failures, Exception exception);

    [LoggerMessage(24, LogLevel.Information, "Released topic {Topic} ({Delivered} events delivered): the node no longer follows it")]
    public static partial void Released(ILogger logger, string topic, long delivered);

    [LoggerMessage(25, LogLevel.Warning, "Fenced agent {Agent} in topic {Topic}: this node held it at epoch {Epoch}, node {Owner} claimed epoch {NewEpoch}; stopping the local copy")]
    public static partial void Fenced(ILogger logger, string agent, string topic, ulong epoch, string owner, ulong newEpoch);

    [LoggerMessage(26, LogLevel.Warning, "Could not report a refused event to {Topic}; the refusal stays in the node's dead letters")]
    public static partial void FeedbackFailed(ILogger logger, string topic, Exception exception);
}
