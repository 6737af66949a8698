using Microsoft.Extensions.Configuration;
using Murmur.Security;

namespace Murmur.Configuration;

/// <summary>
/// A node's settings as a person writes them: its id, its log with the log's transport security, and signed
/// events. Bound from the configuration section <c>Murmur</c> (<see cref="SectionName"/>) — appsettings, then
/// <c>MURMUR__…</c> environment variables, then command-line options (<see cref="MurmurConfiguration.Build"/>) —
/// and turned into a runnable <see cref="NodeSetup"/> by <see cref="Resolve"/>.
/// </summary>
/// <remarks>
/// A mutable class, as the configuration binder needs. Secrets (passwords, tokens) belong in environment variables
/// or files, not on a command line, where other users of the machine can read them.
/// </remarks>
public sealed class MurmurNodeSettings
{
    /// <summary>The configuration section the settings are bound from.</summary>
    public const string SectionName = "Murmur";

    /// <summary>The node's id (<c>Murmur:NodeId</c>).</summary>
    /// <value>Defaults to <see langword="null"/>: the node of the signing key, else the host's default.</value>
    public string? NodeId { get; set; }

    /// <summary>The shared log and its transport security (<c>Murmur:Log</c>).</summary>
    public LogSettings Log { get; set; } = new();

    /// <summary>Signed events (<c>Murmur:Signing</c>).</summary>
    public SigningSettings Signing { get; set; } = new();

    /// <summary>Binds the section <c>Murmur</c> of <paramref name="configuration"/>.</summary>
    /// <exception cref="MurmurSettingsException">A value cannot be converted; the message names its key.</exception>
    public static MurmurNodeSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = new MurmurNodeSettings();
        try
        {
            configuration.GetSection(SectionName).Bind(settings);
        }
        catch (InvalidOperationException ex)
        {
            // The binder names the key and the type: "Failed to convert configuration value at 'Murmur:…' to type …".
            throw new MurmurSettingsException(SectionName, ex.Message, ex);
        }
        return settings;
    }

    /// <summary>
    /// Checks the settings, reads the key files and maps the log onto its transport's options. Nothing is connected.
    /// </summary>
    /// <exception cref="MurmurSettingsException">A setting is wrong or a file is missing; the message names the key and never holds a secret.</exception>
    public NodeSetup Resolve()
    {
        var signing = SigningResolver.Load(Signing);
        var nodeId = string.IsNullOrWhiteSpace(NodeId) ? null : NodeId.Trim();
        if (signing is not null)
        {
            var keyNode = EventSigning.NodeOf(signing.KeyId);
            if (nodeId is null)
            {
                nodeId = keyNode;
            }
            else if (!string.Equals(nodeId, keyNode, StringComparison.Ordinal))
            {
                throw new MurmurSettingsException(SettingKeys.NodeId,
                    $"{SettingKeys.NodeId} '{nodeId}' does not match the signing key '{signing.KeyId}' ({SettingKeys.SigningKeyFile}): a node signs with its own key; use node id '{keyNode}' or the key of '{nodeId}'.");
            }
        }
        var (nats, kafka) = LogResolver.Resolve(Log);
        return new NodeSetup(nodeId, signing, nats, kafka, SecurityReview.Review(signing, Signing, nats, kafka));
    }
}
