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
        var topic = new TopicSpecification { Name = name, NumPartitions = 1, ReplicationFactor = _options.ReplicationFactor, Configs = configs };
        try
        {
            await KafkaTopicCreation.CreateAsync(_admin, topic, _options, "The fleet's membership topic", "1 partition and cleanup.policy=compact", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is KafkaException or TimeoutException)
        {
            throw KafkaErrors.Classified($"Cannot create the fleet's membership topic '{name}' on Kafka: {KafkaErrors.Describe(ex, _options)}", ex);
        }
    }
}
