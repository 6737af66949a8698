using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Murmur.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds a Murmur node to a host.</summary>
public static class MurmurServiceCollectionExtensions
{
    /// <summary>
    /// Adds a node run by <see cref="MurmurHostedService"/>, its options (<see cref="MurmurHostOptions"/>, bound
    /// from the configuration section <c>Murmur</c> and then from <paramref name="configure"/>, validated when
    /// the host starts) and <see cref="MurmurNodeAccessor"/>. The node's log, transport security and signing keys come
    /// from the same section (<see cref="Murmur.Configuration.MurmurNodeSettings"/>) unless a log is chosen in code.
    /// Calling it again returns a builder over the same registrations.
    /// </summary>
    public static MurmurBuilder AddMurmur(this IServiceCollection services, Action<MurmurHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var registrations = services.FirstOrDefault(d => d.ServiceType == typeof(MurmurRegistrations))?.ImplementationInstance as MurmurRegistrations;
        if (registrations is null)
        {
            registrations = new MurmurRegistrations();
            services.AddSingleton(registrations);
            services.TryAddSingleton<MurmurNodeAccessor>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MurmurHostOptions>, MurmurHostOptionsValidator>());
            services.AddOptions<MurmurHostOptions>()
                .Configure<IServiceProvider>(static (options, provider) =>
                {
                    if (provider.GetService<IConfiguration>() is { } configuration)
                    {
                        configuration.GetSection(MurmurHostOptions.SectionName).Bind(options);
                    }
                })
                .ValidateOnStart();
            services.AddSingleton(provider => new MurmurHostedService(provider, provider.GetRequiredService<MurmurRegistrations>(),
                provider.GetRequiredService<IOptions<MurmurHostOptions>>(), provider.GetRequiredService<MurmurNodeAccessor>()));
            services.AddSingleton<IHostedService>(provider => provider.GetRequiredService<MurmurHostedService>());
        }
        if (configure is not null)
        {
            services.Configure(configure);
        }
        return new MurmurBuilder(services, registrations);
    }
}
