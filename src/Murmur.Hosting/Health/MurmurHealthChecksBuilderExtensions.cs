using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Murmur.Hosting;
using Murmur.Hosting.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Health checks of the hosted Murmur node.</summary>
public static class MurmurHealthChecksBuilderExtensions
{
    /// <summary>The name of the check that the log answers.</summary>
    public const string LogCheckName = "murmur_log";

    /// <summary>The name of the check that the supervisor tree has not failed.</summary>
    public const string SupervisorCheckName = "murmur_supervisor";

    /// <summary>The name of the check that no topic lags its log beyond <see cref="MurmurHostOptions.TopicLagDegradedThreshold"/>.</summary>
    public const string TopicLagCheckName = "murmur_topic_lag";

    /// <summary>
    /// Adds three checks: <see cref="LogCheckName"/> (the log answers within <see cref="MurmurHostOptions.HealthProbeTimeout"/>),
    /// <see cref="SupervisorCheckName"/> (the runtime's completion has not faulted) and <see cref="TopicLagCheckName"/>
    /// (Degraded above the lag threshold). Requires <c>AddMurmur</c>.
    /// </summary>
    public static IHealthChecksBuilder AddMurmurHealthChecks(this IHealthChecksBuilder builder, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var tagList = tags?.ToArray() ?? ["murmur"];
        builder.Add(new HealthCheckRegistration(LogCheckName, provider => new LogReachableHealthCheck(
            provider.GetRequiredService<MurmurNodeAccessor>(), provider.GetRequiredService<IOptions<MurmurHostOptions>>(), TimeOf(provider)), null, tagList));
        builder.Add(new HealthCheckRegistration(SupervisorCheckName, provider => new SupervisorHealthCheck(
            provider.GetRequiredService<MurmurNodeAccessor>()), null, tagList));
        builder.Add(new HealthCheckRegistration(TopicLagCheckName, provider => new TopicLagHealthCheck(
            provider.GetRequiredService<MurmurNodeAccessor>(), provider.GetRequiredService<IOptions<MurmurHostOptions>>(), TimeOf(provider)), null, tagList));
        return builder;
    }

    private static TimeProvider TimeOf(IServiceProvider provider) => provider.GetService<TimeProvider>() ?? TimeProvider.System;
}
