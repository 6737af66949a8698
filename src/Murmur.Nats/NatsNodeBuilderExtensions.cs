namespace Murmur.Nats;

/// <summary>Puts a node on a NATS JetStream mesh.</summary>
public static class NatsNodeBuilderExtensions
{
    /// <summary>
    /// Uses the NATS JetStream log; the node connects when it starts and closes the connection when disposed. The log
    /// writes to the node's logger factory unless <see cref="NatsEventLogOptions.LoggerFactory"/> names another.
    /// </summary>
    public static MurmurNodeBuilder UseNats(this MurmurNodeBuilder builder, NatsEventLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        return builder.UseLog(async ct =>
        {
            var effective = options.LoggerFactory is null ? options with { LoggerFactory = builder.Options.Runtime.LoggerFactory } : options;
            return await NatsEventLog.ConnectAsync(effective, ct).ConfigureAwait(false);
        }, ownsLog: true);
    }

    /// <summary>Uses the NATS JetStream log at <paramref name="url"/> with default stream settings.</summary>
    public static MurmurNodeBuilder UseNats(this MurmurNodeBuilder builder, string url)
        => builder.UseNats(NatsEventLogOptions.Default with { Url = url });
}
