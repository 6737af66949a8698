using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Murmur.Logs;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Murmur.Kafka;

/// <summary>Turns librdkafka errors into messages that say what is wrong and what to check, and classifies them.</summary>
internal static class KafkaErrors
{
    public static string Describe(Error error, KafkaEventLogOptions options) => error.Code switch
    {
        ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown or ErrorCode.Local_Resolve or ErrorCode.NetworkException
            => $"the brokers at {options.BootstrapServers} cannot be reached ({error.Code}: {error.Reason})",
        ErrorCode.TopicAuthorizationFailed
            => $"not authorized for Kafka topic '{options.KafkaTopic}' ({error.Code}: check the ACLs of the client's principal)",
        ErrorCode.ClusterAuthorizationFailed
            => $"not authorized on the cluster ({error.Code}: creating topic '{options.KafkaTopic}' needs the Create ACL, or create it beforehand)",
        ErrorCode.SaslAuthenticationFailed or ErrorCode.Local_Authentication
            => $"authentication failed ({error.Code}: check SecurityProtocol, SaslMechanism, SaslUsername and SaslPassword): {error.Reason}",
        ErrorCode.Local_Ssl
            => $"TLS failed ({error.Code}: check SecurityProtocol and SslCaLocation): {error.Reason}",
        ErrorCode.MsgSizeTooLarge or ErrorCode.RecordListTooLarge
            => $"the message is too large for the broker or topic ({error.Code}: raise the topic's max.message.bytes and the brokers' message.max.bytes to at least MaxRecordBytes + 64 KiB, or lower MaxRecordBytes)",
        ErrorCode.Local_MsgTimedOut or ErrorCode.Local_TimedOut or ErrorCode.RequestTimedOut or ErrorCode.Local_TimedOutQueue
            => $"no answer within RequestTimeout {options.RequestTimeout.TotalSeconds:0.###} s ({error.Code}: are the brokers at {options.BootstrapServers} up and reachable?)",
        ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic
            => $"Kafka topic '{options.KafkaTopic}' or its partition does not exist ({error.Code})",
        ErrorCode.Local_UnknownPartition
            => $"the client does not know the partition of Kafka topic '{options.KafkaTopic}' ({error.Code}: its leader may be down, or the topic has fewer partitions than the log expects)",
        ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend
            => $"fewer in-sync replicas than min.insync.replicas ({error.Code}): the append was not acknowledged",
        ErrorCode.NotLeaderForPartition or ErrorCode.LeaderNotAvailable
            => $"the partition's leader moved or is being elected ({error.Code}: {error.Reason})",
        ErrorCode.Local_UnsupportedFeature or ErrorCode.UnsupportedVersion
            => $"the brokers do not support a request the log needs ({error.Code}: {error.Reason})",
        _ => $"{error.Code}: {error.Reason}",
    };

    public static string Describe(Exception ex, KafkaEventLogOptions options) => ex switch
    {
        CreateTopicsException create when create.Results.FirstOrDefault(r => r.Error.IsError) is { } failed
            => Describe(failed.Error, options),
        KafkaException kafka => Describe(kafka.Error, options),
        TimeoutException or TimeoutRejectedException
            => $"no answer within RequestTimeout {options.RequestTimeout.TotalSeconds:0.###} s (are the brokers at {options.BootstrapServers} up and reachable?)",
        BrokenCircuitException => $"the circuit breaker is open after repeated failures ({ex.Message})",
        _ => ex.Message,
    };

    /// <summary>The Kafka error code of <paramref name="ex"/>, or null for an exception that carries none.</summary>
    public static ErrorCode? CodeOf(Exception ex) => ex switch
    {
        CreateTopicsException create => create.Results.FirstOrDefault(r => r.Error.IsError)?.Error.Code,
        KafkaException kafka => kafka.Error.Code,
        _ => null,
    };

    /// <summary>
    /// Errors a retry may get past: the brokers cannot be reached or do not answer in time, a partition's leader moved
    /// or is being elected, replicas are catching up. What librdkafka itself calls retriable, plus the transport errors.
    /// </summary>
    public static bool IsTransient(ErrorCode code) => code is
        ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown or ErrorCode.Local_Resolve or ErrorCode.NetworkException
        or ErrorCode.Local_TimedOut or ErrorCode.Local_MsgTimedOut or ErrorCode.RequestTimedOut or ErrorCode.Local_TimedOutQueue
        or ErrorCode.NotLeaderForPartition or ErrorCode.LeaderNotAvailable or ErrorCode.BrokerNotAvailable or ErrorCode.ReplicaNotAvailable
        or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend or ErrorCode.KafkaStorageError
        or ErrorCode.FencedLeaderEpoch or ErrorCode.UnknownLeaderEpoch or ErrorCode.OffsetNotAvailable
        or ErrorCode.NotCoordinatorForGroup or ErrorCode.GroupCoordinatorNotAvailable or ErrorCode.GroupLoadInProgress
        or ErrorCode.Local_WaitCoord or ErrorCode.Local_Outdated or ErrorCode.Local_NoOffset
        // The client's own metadata lacks the partition: while its leader is down librdkafka can drop it from its view
        // (seen with a broker down in the fault tests). A topic that really lacks it fails the same way once retries end.
        or ErrorCode.Local_UnknownPartition;

    /// <summary>
    /// Errors of the credentials, the permissions or the settings: no retry helps until the configuration changes
    /// (authentication, authorization, TLS, a missing topic, a message larger than the brokers accept, an unsupported request).
    /// </summary>
    public static bool IsConfiguration(ErrorCode code) => code is
        ErrorCode.TopicAuthorizationFailed or ErrorCode.ClusterAuthorizationFailed or ErrorCode.GroupAuthorizationFailed
        or ErrorCode.TransactionalIdAuthorizationFailed or ErrorCode.SaslAuthenticationFailed or ErrorCode.Local_Authentication
        or ErrorCode.IllegalSaslState or ErrorCode.UnsupportedSaslMechanism or ErrorCode.Local_Ssl
        or ErrorCode.MsgSizeTooLarge or ErrorCode.RecordListTooLarge
        or ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic
        or ErrorCode.Local_UnsupportedFeature or ErrorCode.UnsupportedVersion or ErrorCode.InvalidConfig
        or ErrorCode.InvalidReplicationFactor or ErrorCode.InvalidPartitions or ErrorCode.PolicyViolation
        or ErrorCode.Local_InvalidArg or ErrorCode.Local_Fatal;

    /// <summary>Whether a failure of <paramref name="ex"/> may go away by itself (see <see cref="IsTransient(ErrorCode)"/>).</summary>
    public static bool IsTransient(Exception ex) => ex switch
    {
        TimeoutException or TimeoutRejectedException or BrokenCircuitException => true,
        _ => CodeOf(ex) is { } code && IsTransient(code),
    };

    /// <summary>Whether <paramref name="ex"/> is a configuration or authorization failure.</summary>
    public static bool IsConfiguration(Exception ex) => CodeOf(ex) is { } code && IsConfiguration(code);

    public static EventLogException AppendFailed(string topic, string eventId, Exception ex, KafkaEventLogOptions options)
    {
        var configuration = IsConfiguration(ex);
        var notSent = configuration || CodeOf(ex) is ErrorCode.Local_QueueFull or ErrorCode.Local_UnknownPartition; // refused before it left the process
        return new EventLogException(
            $"Appending event '{eventId}' to topic '{topic}' on Kafka failed: {Describe(ex, options)}. "
            + (notSent ? "The event was not stored." : "The event may or may not be stored; retrying with the same event id is safe (readers drop the second copy)."), ex)
        {
            IsTransient = !configuration && (IsTransient(ex) || CodeOf(ex) is ErrorCode.Local_QueueFull),
            OutcomeUnknown = !notSent,
            IsConfigurationError = configuration,
        };
    }

    public static EventLogException ReadFailed(string topic, Exception ex, KafkaEventLogOptions options)
        => Classified($"Reading topic '{topic}' on Kafka failed: {Describe(ex, options)}", ex);

    public static EventLogException ConnectFailed(Exception ex, KafkaEventLogOptions options)
        => Classified($"Cannot open the Kafka event log at {options.BootstrapServers} (topic {options.KafkaTopic}): {Describe(ex, options)}", ex);

    /// <summary>An exception for a call that stores nothing (a read, a connect), with its flags.</summary>
    public static EventLogException Classified(string message, Exception ex)
    {
        var configuration = IsConfiguration(ex);
        return new EventLogException(message, ex) { IsTransient = !configuration && IsTransient(ex), IsConfigurationError = configuration };
    }
}
