using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Murmur.Logs;

namespace Murmur.Hosting.Health;

/// <summary>Healthy when the log answers <see cref="IEventLog.GetEndPositionAsync"/> on the probe topic within the timeout.</summary>
internal sealed class LogReachableHealthCheck(MurmurNodeAccessor accessor, IOptions<MurmurHostOptions> options, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (accessor.NodeOrNull is not { } node)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The Murmur node is not running.");
        }
        var probe = options.Value.HealthProbeTopic;
        var timeout = options.Value.HealthProbeTimeout;
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var end = await node.Log.GetEndPositionAsync(probe, linked.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"The log answered (topic '{probe}' ends at {end}).");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The log did not answer within {timeout}.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The log is unreachable: {ex.Message}", ex);
        }
    }
}
