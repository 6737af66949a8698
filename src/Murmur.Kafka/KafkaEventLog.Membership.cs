using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Murmur.Logs;
using Murmur.Transport;

namespace Murmur.Kafka;

public sealed partial class KafkaEventLog
{
    /// <summary>
    /// The fleet's membership store: the compacted Kafka topic <see cref="KafkaEventLogOptions.EffectiveMembershipTopic"/>
    /// (one partition, one record per node keyed by its id, the latest kept), created on first use where the brokers
    /// allow it.
    /// </summary>
    /// <exception cref="EventLogException">The topic does not exist and cannot be created, or the brokers failed.</exception>
    public async ValueTask<Fleet.IMembershipStore?> OpenMembershipStoreAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var name = _options.EffectiveMembershipTopic;
        var once = new LogPipeline(_options.Resilience, _ => false, _options.RequestTimeout * 2);
        var exists = await once.ExecuteAsync(ct => PartitionCountAsync(_admin, _options with { KafkaTopic = name }, ct), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        if (exists == 0)
        {
            await CreateMembershipTopicAsync(name, cancellationToken).ConfigureAwait(false);
        }
        return new KafkaMembershipStore(name, _producer, CreateConsumer, ReleaseConsumer, _options, _disposed.Token);
    }

    private async Task CreateMembershipTopicAsync(string name, CancellationToken cancellationToken)
    {
        var configs = new Dictionary<string, string>
        {
            // Compacted: the latest announcement of each node is kept, older ones go; a tombstone (null value) removes a node.
            ["cleanup.policy"] = "compact",
            ["max.message.bytes"] = KafkaConfigFactory.Format(KafkaConfigFactory.MessageMaxBytes(_options)),
        };
        try
        {
            await _admin.CreateTopicsAsync(
                [new TopicSpecification { Name = name, NumPartitions = 1, ReplicationFactor = _options.ReplicationFactor, Configs = configs }],
                new CreateTopicsOptions { RequestTimeout = _options.RequestTimeout, OperationTimeout = _options.RequestTimeout })
                .WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => !r.Error.IsError || r.Error.Code == ErrorCode.TopicAlreadyExists))
        {
            // Another node created it first.
        }
        catch (Exception ex) when (KafkaErrors.CodeOf(ex) is ErrorCode.Local_UnsupportedFeature or ErrorCode.UnsupportedVersion or ErrorCode.InvalidRequest)
        {
            throw new EventLogException(
                $"The fleet's membership topic '{name}' does not exist at {_options.BootstrapServers} and the brokers do not serve CreateTopics " +
                $"({KafkaErrors.CodeOf(ex)}); create it beforehand with 1 partition and cleanup.policy=compact.", ex)
            { IsConfigurationError = true };
        }
        catch (Exception ex) when (ex is KafkaException or TimeoutException)
        {
            throw KafkaErrors.Classified($"Cannot create the fleet's membership topic '{name}' on Kafka: {KafkaErrors.Describe(ex, _options)}", ex);
        }
    }
}
