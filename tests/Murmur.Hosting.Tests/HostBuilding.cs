using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Murmur.Hosting.Tests;

internal static class HostBuilding
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>A host with no default sources: only the given configuration, Murmur, health checks and a <see cref="Probe"/>.</summary>
    public static IHost Build(Dictionary<string, string?> configuration, Action<MurmurBuilder> murmur, TimeSpan? shutdownTimeout = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout ?? Patience);
        builder.Services.AddSingleton(new Greeting { Text = "hi from DI" });
        builder.Services.AddSingleton<Probe>();
        murmur(builder.Services.AddMurmur());
        builder.Services.AddHealthChecks().AddMurmurHealthChecks();
        return builder.Build();
    }
}
