using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Murmur.Logs;

namespace Murmur.Kafka.Tests;

public sealed class ErrorTests
{
    private static readonly KafkaEventLogOptions Options = new() { BootstrapServers = "k1:9092", KafkaTopic = "murmur-events", RequestTimeout = TimeSpan.FromSeconds(3) };

    [Theory]
    [InlineData(ErrorCode.Local_Transport, "brokers at k1:9092 cannot be reached")]
    [InlineData(ErrorCode.Local_AllBrokersDown, "brokers at k1:9092 cannot be reached")]
    [InlineData(ErrorCode.Local_Resolve, "brokers at k1:9092 cannot be reached")]
    [InlineData(ErrorCode.TopicAuthorizationFailed, "not authorized for Kafka topic 'murmur-events'")]
    [InlineData(ErrorCode.ClusterAuthorizationFailed, "needs the Create ACL")]
    [InlineData(ErrorCode.SaslAuthenticationFailed, "authentication failed")]
    [InlineData(ErrorCode.Local_Ssl, "TLS failed")]
    [InlineData(ErrorCode.MsgSizeTooLarge, "message is too large")]
    [InlineData(ErrorCode.Local_MsgTimedOut, "no answer within RequestTimeout 3 s")]
    [InlineData(ErrorCode.RequestTimedOut, "no answer within RequestTimeout 3 s")]
    [InlineData(ErrorCode.Local_TimedOut, "no answer within RequestTimeout 3 s")]
    [InlineData(ErrorCode.UnknownTopicOrPart, "'murmur-events' or its partition does not exist")]
    [InlineData(ErrorCode.NotEnoughReplicas, "min.insync.replicas")]
    [InlineData(ErrorCode.InvalidRecord, "InvalidRecord")]
    public void KafkaErrors_SayWhatIsWrong(ErrorCode code, string expected)
    {
        var message = KafkaErrors.Describe(new KafkaException(new Error(code)), Options);
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.Contains(code.ToString(), message, StringComparison.Ordinal);
    }

    [Fact]
    public void FailedProduce_BecomesAnEventLogException_NamingEventTopicAndRetry()
    {
        var produce = new ProduceException<byte[], byte[]>(new Error(ErrorCode.MsgSizeTooLarge), new DeliveryResult<byte[], byte[]>());
        var error = KafkaErrors.AppendFailed("fix-auth-token", "req_88f2a", produce, Options);
        Assert.IsType<EventLogException>(error);
        Assert.Same(produce, error.InnerException);
        Assert.StartsWith("Appending event 'req_88f2a' to topic 'fix-auth-token' on Kafka failed: the message is too large", error.Message, StringComparison.Ordinal);
        Assert.Contains("The event was not stored.", error.Message, StringComparison.Ordinal);
        Assert.True(error.IsConfigurationError);
        Assert.False(error.IsTransient);
        Assert.False(error.OutcomeUnknown);
    }

    [Theory]
    [InlineData(ErrorCode.SaslAuthenticationFailed, false, false, true)]   // authentication: fix the credentials
    [InlineData(ErrorCode.Local_Authentication, false, false, true)]
    [InlineData(ErrorCode.TopicAuthorizationFailed, false, false, true)]   // authorization: fix the ACLs
    [InlineData(ErrorCode.ClusterAuthorizationFailed, false, false, true)]
    [InlineData(ErrorCode.MsgSizeTooLarge, false, false, true)]            // message too large: never stored
    [InlineData(ErrorCode.RecordListTooLarge, false, false, true)]
    [InlineData(ErrorCode.UnknownTopicOrPart, false, false, true)]
    [InlineData(ErrorCode.Local_MsgTimedOut, true, true, false)]           // timeout: the broker may have stored it
    [InlineData(ErrorCode.RequestTimedOut, true, true, false)]
    [InlineData(ErrorCode.Local_Transport, true, true, false)]             // connection lost mid-request
    [InlineData(ErrorCode.Local_AllBrokersDown, true, true, false)]
    [InlineData(ErrorCode.NotLeaderForPartition, true, true, false)]       // leader moved: retry finds the new one
    [InlineData(ErrorCode.LeaderNotAvailable, true, true, false)]
    [InlineData(ErrorCode.NotEnoughReplicas, true, true, false)]
    [InlineData(ErrorCode.Local_QueueFull, true, false, false)]            // never left the process
    [InlineData(ErrorCode.Local_UnknownPartition, true, false, false)]     // the client lost the partition from its metadata (leader down)
    [InlineData(ErrorCode.InvalidRecord, false, true, false)]              // unknown kind: not retried, outcome unknown
    public void AppendFailure_IsClassified(ErrorCode code, bool transient, bool outcomeUnknown, bool configuration)
    {
        var error = KafkaErrors.AppendFailed("t", "e1", new ProduceException<byte[], byte[]>(new Error(code), new DeliveryResult<byte[], byte[]>()), Options);
        Assert.Equal((transient, outcomeUnknown, configuration), (error.IsTransient, error.OutcomeUnknown, error.IsConfigurationError));
        Assert.False(error.IsTransient && error.IsConfigurationError);
    }

    [Theory]
    [InlineData(ErrorCode.NotLeaderForPartition, true, false)]
    [InlineData(ErrorCode.Local_TimedOut, true, false)]
    [InlineData(ErrorCode.TopicAuthorizationFailed, false, true)]
    [InlineData(ErrorCode.SaslAuthenticationFailed, false, true)]
    [InlineData(ErrorCode.Local_UnsupportedFeature, false, true)]
    public void ReadFailure_IsClassified_AndNeverOutcomeUnknown(ErrorCode code, bool transient, bool configuration)
    {
        var error = KafkaErrors.ReadFailed("t", new KafkaException(new Error(code)), Options);
        Assert.Equal((transient, false, configuration), (error.IsTransient, error.OutcomeUnknown, error.IsConfigurationError));
    }

    [Fact]
    public void Timeouts_AreTransient()
    {
        Assert.True(KafkaErrors.IsTransient(new TimeoutException()));
        Assert.True(KafkaErrors.IsTransient(new Polly.Timeout.TimeoutRejectedException()));
        Assert.True(KafkaErrors.ReadFailed("t", new TimeoutException(), Options).IsTransient);
        Assert.False(KafkaErrors.IsTransient(new InvalidOperationException()));
    }

    [Fact]
    public void CreateTopicsFailure_ReportsTheTopicsError()
    {
        var create = new CreateTopicsException([new CreateTopicReport { Topic = "murmur-events", Error = new Error(ErrorCode.TopicAuthorizationFailed) }]);
        var error = KafkaErrors.ConnectFailed(create, Options);
        Assert.Equal(
            "Cannot open the Kafka event log at k1:9092 (topic murmur-events): not authorized for Kafka topic 'murmur-events' (TopicAuthorizationFailed: check the ACLs of the client's principal)",
            error.Message);
    }

    [Fact]
    public void ReadFailure_NamesTheTopic()
    {
        var error = KafkaErrors.ReadFailed("t1", new ConsumeException(new ConsumeResult<byte[], byte[]>(), new Error(ErrorCode.TopicAuthorizationFailed)), Options);
        Assert.StartsWith("Reading topic 't1' on Kafka failed: not authorized", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Timeout_IsDescribed()
        => Assert.Contains("are the brokers at k1:9092 up", KafkaErrors.Describe(new TimeoutException(), Options), StringComparison.Ordinal);
}
