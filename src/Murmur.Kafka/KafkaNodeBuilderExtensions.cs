namespace Murmur.Kafka;

/// <summary>Puts a node on a Kafka log.</summary>
public static class KafkaNodeBuilderExtensions
{
    /// <summary>Uses a <see cref="KafkaEventLog"/>, connected when the node starts and disposed with it.</summary>
    public static MurmurNodeBuilder UseKafka(this MurmurNodeBuilder builder, KafkaEventLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return builder.UseLog(async ct => await KafkaEventLog.ConnectAsync(options, ct).ConfigureAwait(false), ownsLog: true);
    }
}
