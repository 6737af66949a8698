using Microsoft.Extensions.Configuration;

namespace Murmur.Configuration.Tests;

/// <summary>Builds and resolves settings from configuration key/value pairs.</summary>
internal static class Settings
{
    public static MurmurNodeSettings Bind(params (string Key, string? Value)[] pairs)
        => MurmurNodeSettings.From(new ConfigurationBuilder()
            .AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)))
            .Build());

    public static NodeSetup Resolve(params (string Key, string? Value)[] pairs) => Bind(pairs).Resolve();

    public static MurmurSettingsException Refused(params (string Key, string? Value)[] pairs)
        => Assert.Throws<MurmurSettingsException>(() => Resolve(pairs));
}
