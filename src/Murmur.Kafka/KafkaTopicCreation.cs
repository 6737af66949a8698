using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Murmur.Logs;

namespace Murmur.Kafka;

/// <summary>Creating a topic Murmur needs (the event log's, the fleet's membership topic): once, whoever is first.</summary>
internal static class KafkaTopicCreation
{
    /// <summary>
    /// Creates <paramref name="topic"/> unless another node did first. Brokers that do not serve CreateTopics are a
    /// configuration error that says what to create by hand (<paramref name="createBeforehand"/>: "N partition(s)", …).
    /// </summary>
    /// <exception cref="EventLogException">The brokers refuse CreateTopics (a configuration error).</exception>
    public static async Task CreateAsync(IAdminClient admin, TopicSpecification topic, KafkaEventLogOptions options, string what, string createBeforehand, CancellationToken cancellationToken)
    {
        try
        {
            await admin.CreateTopicsAsync([topic], new CreateTopicsOptions { RequestTimeout = options.RequestTimeout, OperationTimeout = options.RequestTimeout })
                .WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => !r.Error.IsError || r.Error.Code == ErrorCode.TopicAlreadyExists))
        {
            // Another node created it first.
        }
        catch (Exception ex) when (KafkaErrors.CodeOf(ex) is ErrorCode.Local_UnsupportedFeature or ErrorCode.UnsupportedVersion or ErrorCode.InvalidRequest)
        {
            throw new EventLogException(
                $"{what} '{topic.Name}' does not exist at {options.BootstrapServers} and the brokers do not serve CreateTopics ({KafkaErrors.CodeOf(ex)}); " +
                $"create it beforehand with {createBeforehand}.", ex)
            { IsConfigurationError = true };
        }
    }
}
