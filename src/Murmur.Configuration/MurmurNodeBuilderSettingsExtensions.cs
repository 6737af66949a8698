using Microsoft.Extensions.Configuration;

namespace Murmur.Configuration;

/// <summary>Configures a node from <see cref="MurmurNodeSettings"/>.</summary>
public static class MurmurNodeBuilderSettingsExtensions
{
    /// <summary>
    /// Binds the section <c>Murmur</c> of <paramref name="configuration"/>, resolves it and applies the node id, the
    /// signing keys and the log (when one is configured) to the builder.
    /// </summary>
    /// <returns>The resolved settings, whose <see cref="NodeSetup.Warnings"/> the caller should show once.</returns>
    /// <exception cref="MurmurSettingsException">A setting is wrong; the message names its key.</exception>
    public static NodeSetup UseSettings(this MurmurNodeBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var setup = MurmurNodeSettings.From(configuration).Resolve();
        setup.ApplyTo(builder);
        return setup;
    }
}
