using System.Collections;
using Microsoft.Extensions.Configuration;

namespace Murmur.Configuration;

/// <summary>
/// Builds the configuration a command-line node reads, in the order of precedence of a .NET host: a JSON file
/// (appsettings format, section <c>Murmur</c>) &lt; <c>MURMUR__…</c> environment variables &lt; command-line options.
/// </summary>
public static class MurmurConfiguration
{
    /// <summary>The prefix of the environment variables that set node settings (<c>MURMUR__SIGNING__KEYFILE</c> is <c>Murmur:Signing:KeyFile</c>).</summary>
    public const string EnvironmentPrefix = "MURMUR__";

    /// <summary>Layers a JSON file, environment variables and overrides; later layers win.</summary>
    /// <param name="jsonFile">An appsettings-style file, or null.</param>
    /// <param name="environment">Environment variables (name, value); only those starting with <see cref="EnvironmentPrefix"/> are read, <c>__</c> separating sections.</param>
    /// <param name="overrides">Configuration keys (<c>Murmur:Signing:KeyFile</c>) and values from the command line.</param>
    /// <exception cref="MurmurSettingsException">The file is missing or not valid JSON.</exception>
    public static IConfiguration Build(string? jsonFile, IEnumerable<KeyValuePair<string, string?>> environment, IEnumerable<KeyValuePair<string, string?>> overrides)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(overrides);
        var builder = new ConfigurationBuilder();
        if (jsonFile is not null)
        {
            var full = Path.GetFullPath(jsonFile);
            if (!File.Exists(full))
            {
                throw new MurmurSettingsException("config", $"the configuration file '{jsonFile}' does not exist.");
            }
            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }
        builder.AddInMemoryCollection(environment
            .Where(v => v.Key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            .Select(v => new KeyValuePair<string, string?>(v.Key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), v.Value)));
        builder.AddInMemoryCollection(overrides);
        try
        {
            return builder.Build();
        }
        catch (InvalidDataException ex)
        {
            throw new MurmurSettingsException("config", $"the configuration file '{jsonFile}' is not valid JSON: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
        catch (FormatException ex)
        {
            throw new MurmurSettingsException("config", $"the configuration file '{jsonFile}' is not valid: {ex.Message}", ex);
        }
    }

    /// <summary>This process's environment variables.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> EnvironmentVariables()
        => Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().Select(e => new KeyValuePair<string, string?>((string)e.Key, e.Value as string));
}
