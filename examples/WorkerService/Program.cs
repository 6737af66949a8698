using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Murmur.Events;
using Murmur.Hosting;
using WorkerService;

// A worker that hosts a Murmur node: the options come from appsettings.json (section "Murmur") and MURMUR__…
// environment variables, the agents are constructed by DI, and health checks watch the log, the supervisor tree and
// the topic lag. Nothing about the log or its security is in code: without Murmur:Log:Url the node runs on the
// embedded in-memory log; with the settings 'examples/secure-mesh/setup.sh' writes to worker.env it joins a secured
// NATS mesh (TLS, an nkey, signed events) — see docs/security.md.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddSingleton(new Briefing("auth_token is logged in login.py line 42"));
builder.Services.AddMurmur()
    .AddAgent<Researcher>("Researcher", "fix-auth-token")
    .AddAgent<Reviewer>("Reviewer", "fix-auth-token");
builder.Services.AddHealthChecks().AddMurmurHealthChecks();
builder.Services.AddHostedService<Reporter>();

await builder.Build().RunAsync();

/// <summary>Waits until the task completes, prints the topic and the health report, then stops the application.</summary>
internal sealed partial class Reporter(MurmurNodeAccessor murmur, HealthCheckService health, IHostApplicationLifetime lifetime, ILogger<Reporter> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }
        var topic = murmur.GetTopic("fix-auth-token");
        await topic.WaitForEventAsync(e => e.Action == Actions.TaskComplete, stoppingToken).WaitAsync(TimeSpan.FromSeconds(30), stoppingToken);
        foreach (var e in topic.History)
        {
            LogEvent(logger, e.Actor, e.Action, e.Clock.ToString());
        }
        var report = await health.CheckHealthAsync(stoppingToken);
        foreach (var (name, entry) in report.Entries)
        {
            LogHealth(logger, name, entry.Status, entry.Description ?? "");
        }
        lifetime.StopApplication();
    }

    [LoggerMessage(LogLevel.Information, "{Actor} {Action} {Clock}")]
    private static partial void LogEvent(ILogger logger, string actor, string action, string clock);

    [LoggerMessage(LogLevel.Information, "health {Name}: {Status} ({Description})")]
    private static partial void LogHealth(ILogger logger, string name, HealthStatus status, string description);
}
