using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Murmur.Logs;
using Murmur.Supervision;

namespace Murmur.Hosting.Tests;

public sealed class HealthCheckTests
{
    private static readonly TimeSpan Patience = HostBuilding.Patience;

    private static Task<HealthReport> CheckAsync(IServiceProvider services)
        => services.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(Patience);

    [Fact]
    public async Task RunningNode_IsHealthy()
    {
        using var host = HostBuilding.Build([], m => m.AddAgent<Ponger>("Ponger", "chat"));
        await host.StartAsync().WaitAsync(Patience);

        var report = await CheckAsync(host.Services);

        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Equal(3, report.Entries.Count);
        await host.StopAsync().WaitAsync(Patience);
    }

    [Fact]
    public async Task NodeNotStarted_IsUnhealthy()
    {
        using var host = HostBuilding.Build([], m => { });

        var report = await CheckAsync(host.Services);

        Assert.Equal(HealthStatus.Unhealthy, report.Entries[MurmurHealthChecksBuilderExtensions.LogCheckName].Status);
    }

    [Fact]
    public async Task FaultedRuntime_SupervisorCheckIsUnhealthy()
    {
        using var host = HostBuilding.Build([], m => m
            .ConfigureNode(n => n.Configure(o => o with { Runtime = o.Runtime with { RootSupervisor = SupervisorStrategy.OneForOne(maxRestarts: 0) } }))
            .AddAgent<Crasher>("Crasher", "chat"));
        await host.StartAsync().WaitAsync(Patience);
        var node = host.Services.GetRequiredService<MurmurNodeAccessor>().Node;

        Assert.True(node.Runtime.TryGet("Crasher", out var crasher));
        crasher.Send("boom");
        await Assert.ThrowsAsync<RuntimeFailedException>(() => node.Runtime.Completion.WaitAsync(Patience));
        var report = await CheckAsync(host.Services);

        var supervisor = report.Entries[MurmurHealthChecksBuilderExtensions.SupervisorCheckName];
        Assert.Equal(HealthStatus.Unhealthy, supervisor.Status);
        Assert.Contains("supervisor tree failed", supervisor.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, report.Entries[MurmurHealthChecksBuilderExtensions.LogCheckName].Status);
        await host.StopAsync().WaitAsync(Patience);
    }

    [Fact]
    public async Task LogThatThrows_LogCheckIsUnhealthy_LagIsDegraded()
    {
        var log = new BreakableLog();
        using var host = HostBuilding.Build([], m => m
            .UseLog((_, _) => Task.FromResult<IEventLog>(log), ownsLog: false)
            .AddAgent<Ponger>("Ponger", "chat"));
        await host.StartAsync().WaitAsync(Patience);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host.Services)).Status);

        log.Broken = true;
        var report = await CheckAsync(host.Services);

        var entry = report.Entries[MurmurHealthChecksBuilderExtensions.LogCheckName];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("the log is down", entry.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Degraded, report.Entries[MurmurHealthChecksBuilderExtensions.TopicLagCheckName].Status);
        Assert.Equal(HealthStatus.Healthy, report.Entries[MurmurHealthChecksBuilderExtensions.SupervisorCheckName].Status);
        log.Broken = false;
        await host.StopAsync().WaitAsync(Patience);
    }

    [Fact]
    public async Task TopicBehindItsLog_LagCheckIsDegraded()
    {
        var log = new BreakableLog();
        using var host = HostBuilding.Build(new() { ["Murmur:TopicLagDegradedThreshold"] = "2", ["Murmur:Topics:0:Name"] = "chat" },
            m => m.UseLog((_, _) => Task.FromResult<IEventLog>(log), ownsLog: false));
        await host.StartAsync().WaitAsync(Patience);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host.Services)).Status);

        log.EndAhead = 3; // the log reports entries this node has not read

        var lag = (await CheckAsync(host.Services)).Entries[MurmurHealthChecksBuilderExtensions.TopicLagCheckName];
        Assert.Equal(HealthStatus.Degraded, lag.Status);
        Assert.Equal(3L, lag.Data["chat"]);
        log.EndAhead = 0;
        await host.StopAsync().WaitAsync(Patience);
    }
}
