using Murmur.Kafka;
using Murmur.Nats;

namespace Murmur.Cli.Mesh;

/// <summary>Turns a <c>--log</c> value into a connected <see cref="IEventLog"/>: <c>nats://host:port[,…]</c> or <c>kafka://host:port[,…]</c>.</summary>
internal static class LogSpec
{
    public const string Help = "nats://HOST:PORT[,nats://HOST:PORT…] (NATS JetStream) or kafka://HOST:PORT[,HOST:PORT…]";

    /// <summary>Checks the form of a <c>--log</c> value; throws <see cref="UsageException"/> naming the problem.</summary>
    public static string Validate(string? spec)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            throw new UsageException($"--log is required: {Help}.");
        }
        if (!spec.StartsWith("nats://", StringComparison.Ordinal) && !spec.StartsWith("kafka://", StringComparison.Ordinal))
        {
            throw new UsageException($"--log '{spec}' is not a log address; use {Help}.");
        }
        return spec;
    }

    /// <summary>Connects; an unreachable log is an <see cref="EventLogException"/> with a one-line message.</summary>
    public static async Task<IEventLog> ConnectAsync(string spec, CancellationToken cancellationToken)
    {
        Validate(spec);
        if (spec.StartsWith("kafka://", StringComparison.Ordinal))
        {
            return await KafkaEventLog.ConnectAsync(new KafkaEventLogOptions { BootstrapServers = spec["kafka://".Length..] }, cancellationToken);
        }
        return await NatsEventLog.ConnectAsync(new NatsEventLogOptions { Url = spec, RequestTimeout = TimeSpan.FromSeconds(5) }, cancellationToken);
    }
}
