using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Murmur.Topics;

namespace Murmur.Hosting.Health;

/// <summary>Degraded when some topic's log has more unread entries (end position minus <see cref="Topic.ReadPosition"/>) than the threshold.</summary>
internal sealed class TopicLagHealthCheck(MurmurNodeAccessor accessor, IOptions<MurmurHostOptions> options, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (accessor.NodeOrNull is not { } node)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The Murmur node is not running.");
        }
        var threshold = options.Value.TopicLagDegradedThreshold;
        using var deadline = new CancellationTokenSource(options.Value.HealthProbeTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var lags = new Dictionary<string, object>(StringComparer.Ordinal);
        var behind = new List<string>();
        try
        {
            foreach (var topic in node.Topics)
            {
                var end = await node.Log.GetEndPositionAsync(topic.Name, linked.Token).ConfigureAwait(false);
                var lag = Math.Max(0, end - topic.ReadPosition);
                lags[topic.Name] = lag;
                if (lag > threshold)
                {
                    behind.Add($"{topic.Name} ({lag})");
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(HealthStatus.Degraded, $"The topic lag is unknown: {ex.Message}", ex);
        }
        return behind.Count == 0
            ? HealthCheckResult.Healthy($"Every topic is within {threshold} entries of its log's end.", lags)
            : HealthCheckResult.Degraded($"Topics behind their log by more than {threshold} entries: {string.Join(", ", behind)}.", data: lags);
    }
}
