using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Murmur.Kafka;

/// <summary>Turns librdkafka errors into messages that say what is wrong and what to check.</summary>
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
        ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic or ErrorCode.Local_UnknownPartition
            => $"Kafka topic '{options.KafkaTopic}' or its partition does not exist ({error.Code})",
        ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend
            => $"fewer in-sync replicas than min.insync.replicas ({error.Code}): the append was not acknowledged",
        _ => $"{error.Code}: {error.Reason}",
    };

    public static string Describe(Exception ex, KafkaEventLogOptions options) => ex switch
    {
        CreateTopicsException create when create.Results.FirstOrDefault(r => r.Error.IsError) is { } failed
            => Describe(failed.Error, options),
        KafkaException kafka => Describe(kafka.Error, options),
        TimeoutException => $"no answer within RequestTimeout {options.RequestTimeout.TotalSeconds:0.###} s (are the brokers at {options.BootstrapServers} up and reachable?)",
        _ => ex.Message,
    };

    public static EventLogException AppendFailed(string topic, string eventId, Exception ex, KafkaEventLogOptions options)
        => new($"Appending event '{eventId}' to topic '{topic}' on Kafka failed: {Describe(ex, options)}. "
            + "The event may or may not be stored; retrying with the same event id is safe (readers drop the second copy).", ex);

    public static EventLogException ReadFailed(string topic, Exception ex, KafkaEventLogOptions options)
        => new($"Reading topic '{topic}' on Kafka failed: {Describe(ex, options)}", ex);

    public static EventLogException ConnectFailed(Exception ex, KafkaEventLogOptions options)
        => new($"Cannot open the Kafka event log at {options.BootstrapServers} (topic {options.KafkaTopic}): {Describe(ex, options)}", ex);
}
