using Microsoft.Extensions.Diagnostics.HealthChecks;
using Murmur.Runtime;

namespace Murmur.Hosting.Health;

/// <summary>Healthy while the runtime runs; unhealthy once a failure escalated out of the root supervisor (its <see cref="AgentRuntime.Completion"/> faulted) or it stopped.</summary>
internal sealed class SupervisorHealthCheck(MurmurNodeAccessor accessor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (accessor.NodeOrNull is not { } node)
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, "The Murmur node is not running."));
        }
        var completion = node.Runtime.Completion;
        var result = completion switch
        {
            { IsFaulted: true } => new HealthCheckResult(context.Registration.FailureStatus,
                $"The supervisor tree failed: {completion.Exception!.InnerException?.Message}", completion.Exception.InnerException),
            { IsCompleted: true } => new HealthCheckResult(context.Registration.FailureStatus, "The agent runtime has stopped."),
            _ => HealthCheckResult.Healthy($"The supervisor tree runs {node.Runtime.Agents.Count} top-level agents."),
        };
        return Task.FromResult(result);
    }
}
