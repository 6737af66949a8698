namespace Murmur.Kafka;

/// <summary>Puts a node on a Kafka log.</summary>
public static class KafkaNodeBuilderExtensions
{
    /// <summary>
    /// Uses a <see cref="KafkaEventLog"/>, connected when the node starts and disposed with it. The log (and librdkafka)
    /// writes to the node's logger factory unless <see cref="KafkaEventLogOptions.LoggerFactory"/> names another.
    /// </summary>
    public static MurmurNodeBuilder UseKafka(this MurmurNodeBuilder builder, KafkaEventLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return builder.UseLog(async ct =>
        {
            var effective = options.LoggerFactory is null ? options with { LoggerFactory = builder.Options.Runtime.LoggerFactory } : options;
            return await KafkaEventLog.ConnectAsync(effective, ct).ConfigureAwait(false);
        }, ownsLog: true);
    }
}
