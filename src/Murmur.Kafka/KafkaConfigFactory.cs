using System.Globalization;
using Confluent.Kafka;

namespace Murmur.Kafka;

/// <summary>Maps <see cref="KafkaEventLogOptions"/> to librdkafka client configurations.</summary>
internal static class KafkaConfigFactory
{
    /// <summary>Room for the key, headers and batch framing above a record's bytes.</summary>
    public const int MessageOverheadBytes = 64 * 1024;

    /// <summary>librdkafka's upper limit for <c>message.max.bytes</c>.</summary>
    public const int MaxMessageBytesLimit = 1_000_000_000;

    public static int MessageMaxBytes(KafkaEventLogOptions options) => options.MaxRecordBytes + MessageOverheadBytes;

    public static AdminClientConfig Admin(KafkaEventLogOptions options)
    {
        var config = new AdminClientConfig();
        ApplyCommon(config, options);
        return config;
    }

    public static ProducerConfig Producer(KafkaEventLogOptions options)
    {
        var timeoutMs = Milliseconds(options.RequestTimeout);
        var config = new ProducerConfig
        {
            // Idempotent: the producer's own retries never duplicate or reorder a partition's records.
            EnableIdempotence = true,
            Acks = Acks.All,
            MaxInFlight = 5,
            MessageMaxBytes = MessageMaxBytes(options),
            // A delivery (with every internal retry) either succeeds or fails within the request timeout.
            MessageTimeoutMs = timeoutMs,
            RequestTimeoutMs = Math.Min(timeoutMs, 30_000),
            LingerMs = 1,
        };
        ApplyCommon(config, options);
        return config;
    }

    public static ConsumerConfig Consumer(KafkaEventLogOptions options)
    {
        var config = new ConsumerConfig
        {
            // Readers assign partitions themselves and never commit: the group id is only required by the client.
            GroupId = options.ClientId + "-reader-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = true,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            MaxPartitionFetchBytes = Math.Max(1024 * 1024, MessageMaxBytes(options)),
            FetchMaxBytes = Math.Max(50 * 1024 * 1024, MessageMaxBytes(options)),
            ReceiveMessageMaxBytes = Math.Max(100 * 1024 * 1024, MessageMaxBytes(options) * 2),
            FetchWaitMaxMs = 100,
        };
        ApplyCommon(config, options);
        return config;
    }

    private static void ApplyCommon(ClientConfig config, KafkaEventLogOptions options)
    {
        config.BootstrapServers = options.BootstrapServers;
        config.ClientId = options.ClientId;
        config.AllowAutoCreateTopics = false;
        config.SocketConnectionSetupTimeoutMs = Math.Min(Milliseconds(options.RequestTimeout), 30_000);
        config.ReconnectBackoffMs = 100;
        config.ReconnectBackoffMaxMs = 2_000;
        config.SecurityProtocol = options.SecurityProtocol;
        config.SaslMechanism = options.SaslMechanism;
        config.SaslUsername = options.SaslUsername;
        config.SaslPassword = options.SaslPassword;
        config.SslCaLocation = options.SslCaLocation;
        config.SslCertificateLocation = options.SslCertificateLocation;
        config.SslKeyLocation = options.SslKeyLocation;
        // librdkafka logs to stderr by default; errors surface through exceptions instead.
        config.Set("log_level", "3");
    }

    public static int Milliseconds(TimeSpan span) => (int)Math.Clamp(span.TotalMilliseconds, 1, int.MaxValue);

    public static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
}
