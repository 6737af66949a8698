using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Murmur.Kafka;

/// <summary>Builds the log's librdkafka clients with their log lines and error events routed to the log's logger.</summary>
internal sealed class KafkaClients(KafkaEventLogOptions options, ILogger logger)
{
    private readonly KafkaClientLogging _logging = new(logger);

    public IAdminClient Admin()
        => new AdminClientBuilder(WithLogLevel(KafkaConfigFactory.Admin(options)))
            .SetLogHandler(_logging.OnLog).SetErrorHandler(_logging.OnError).Build();

    public IProducer<byte[], byte[]> Producer()
        => new ProducerBuilder<byte[], byte[]>(WithLogLevel(KafkaConfigFactory.Producer(options)))
            .SetLogHandler(_logging.OnLog).SetErrorHandler(_logging.OnError).Build();

    public IConsumer<byte[], byte[]> Consumer()
        => new ConsumerBuilder<byte[], byte[]>(WithLogLevel(KafkaConfigFactory.Consumer(options)))
            .SetLogHandler(_logging.OnLog).SetErrorHandler(_logging.OnError).Build();

    private T WithLogLevel<T>(T config)
        where T : ClientConfig
    {
        config.Set("log_level", _logging.LibraryLevel);
        return config;
    }
}
