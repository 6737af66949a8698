using System.Text;
using Murmur.Configuration;

namespace Murmur.Cli.Mesh;

/// <summary>
/// The options of every command that opens the shared log — where it is, how to authenticate to it, the signing
/// keys — defined once. They override <c>--config FILE</c> and <c>MURMUR__…</c> environment variables
/// (<see cref="MurmurConfiguration"/>), and resolve to the same <see cref="NodeSetup"/> a hosted worker uses.
/// </summary>
internal sealed class MeshOptions
{
    /// <summary>One option: its flag, the configuration key it sets, and its value's name (null for a switch, which sets <paramref name="SwitchValue"/>).</summary>
    private sealed record Option(string Flag, string? Key, string? Value, string Help, string? SwitchValue = null);

    private static readonly Option[] Known =
    [
        new("--log", SettingKeys.LogUrl, "URL", "nats://HOST:PORT[,nats://HOST:PORT…] (tls:// requires TLS) or kafka://HOST:PORT[,HOST:PORT…]"),
        new("--config", null, "FILE", "settings as JSON, section \"Murmur\" (the format of a worker's appsettings.json)"),
        new("--sign-key", SettingKeys.SigningKeyFile, "FILE", "this node's private key KEYID.pem ('murmur keys new'): sign events as node KEYID"),
        new("--trust-keys", SettingKeys.SigningTrustedKeys, "PATH[,PATH]", "public keys KEYID.pub.pem of the nodes to trust, or directories of them"),
        new("--require-signatures", SettingKeys.SigningRequireSignatures, null, "refuse unsigned events as dead letters (the default with --sign-key)", "true"),
        new("--allow-unsigned", SettingKeys.SigningRequireSignatures, null, "accept unsigned events (still verify signed ones), e.g. while a mesh moves to signing", "false"),
        new("--nats-nkey", SettingKeys.NatsNKeyFile, "FILE", "NATS nkey seed file ('murmur keys nats-user' makes one)"),
        new("--nats-creds", SettingKeys.NatsCredsFile, "FILE", "NATS credentials file (JWT and nkey)"),
        new("--nats-user", SettingKeys.NatsUser, "USER", $"NATS user; its password from {SettingKeys.EnvironmentVariable(SettingKeys.NatsPassword)}"),
        new("--tls", SettingKeys.TlsEnabled, null, "require TLS to the log's servers", "true"),
        new("--tls-ca", SettingKeys.TlsCaFile, "FILE", "the CA certificate (PEM) that signed the servers' certificates"),
        new("--tls-cert", SettingKeys.TlsCertFile, "FILE", "this node's client certificate (PEM), with --tls-key"),
        new("--tls-key", SettingKeys.TlsKeyFile, "FILE", "the private key (PEM) of --tls-cert"),
        new("--max-record-bytes", SettingKeys.MaxRecordBytes, "N", "the largest record appended or read (NATS: 1 MiB - 1 KiB by default, so a stock server's 1 MiB max_payload fits it and the headers)"),
        new("--kafka-sasl-mechanism", SettingKeys.KafkaSaslMechanism, "M", "Kafka SASL: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"),
        new("--kafka-sasl-user", SettingKeys.KafkaSaslUsername, "USER", $"Kafka SASL user; its password from {SettingKeys.EnvironmentVariable(SettingKeys.KafkaSaslPassword)}"),
    ];

    private readonly Dictionary<string, string?> _overrides = new(StringComparer.OrdinalIgnoreCase);
    private string? _configFile;

    /// <summary>The options' help, for every command's usage text.</summary>
    public static string Help { get; } = BuildHelp();

    /// <summary>The configuration keys the command line set so far, for tests.</summary>
    public IReadOnlyDictionary<string, string?> Overrides => _overrides;

    /// <summary>When <c>args[i]</c> is one of these options, reads it (and its value, advancing <paramref name="i"/>) and returns true.</summary>
    /// <exception cref="UsageException">The option needs a value and has none.</exception>
    public bool TryRead(IReadOnlyList<string> args, ref int i)
    {
        var flag = args[i];
        var option = Array.Find(Known, o => o.Flag == flag);
        if (option is null)
        {
            return false;
        }
        if (option.Value is null)
        {
            _overrides[option.Key!] = option.SwitchValue;
            return true;
        }
        if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new UsageException($"'{option.Flag}' needs a value ({option.Value}).");
        }
        var value = args[++i];
        if (option.Key is null)
        {
            _configFile = value;
        }
        else
        {
            _overrides[option.Key] = value;
        }
        return true;
    }

    /// <summary>Sets the node id (<c>--node-id</c>), which overrides the configured one.</summary>
    public void SetNodeId(string nodeId) => _overrides[SettingKeys.NodeId] = nodeId;

    /// <summary>
    /// Layers <c>--config</c>, the <c>MURMUR__…</c> environment and these options, and resolves them. A missing log,
    /// a wrong setting or a missing file is a <see cref="UsageException"/> that names the option or key.
    /// </summary>
    public NodeSetup Resolve(IEnumerable<KeyValuePair<string, string?>>? environment = null)
    {
        NodeSetup setup;
        try
        {
            var configuration = MurmurConfiguration.Build(_configFile, environment ?? MurmurConfiguration.EnvironmentVariables(), _overrides);
            setup = MurmurNodeSettings.From(configuration).Resolve();
        }
        catch (MurmurSettingsException ex)
        {
            var flag = ex.Key == "config" ? "--config" : Known.FirstOrDefault(o => string.Equals(o.Key, ex.Key, StringComparison.OrdinalIgnoreCase))?.Flag;
            throw new UsageException(flag is null || ex.Message.Contains(flag, StringComparison.Ordinal) ? ex.Message : $"{ex.Message} (option {flag})");
        }
        if (!setup.HasLog)
        {
            throw new UsageException($"no log given: use --log URL, {SettingKeys.LogUrl} in --config FILE, or {SettingKeys.EnvironmentVariable(SettingKeys.LogUrl)}; URL is {Known[0].Help}.");
        }
        return setup;
    }

    /// <summary>Prints once what the node leaves open, each with the option that closes it.</summary>
    public static void WriteWarnings(NodeSetup setup, string command, TextWriter stderr)
    {
        foreach (var warning in setup.Warnings)
        {
            stderr.WriteLine($"murmur {command}: warning: {warning.Message}; {warning.Fix}.");
        }
    }

    private static string BuildHelp()
    {
        var text = new StringBuilder();
        text.AppendLine("log and security options (from --config FILE < MURMUR__… environment variables < these options):");
        foreach (var option in Known)
        {
            var name = option.Value is null ? option.Flag : $"{option.Flag} {option.Value}";
            text.AppendLine($"  {name,-26} {option.Help}");
        }
        text.AppendLine("  Secrets (passwords, tokens) come only from files or the environment, never from this command line,");
        text.Append("  and are never printed. Environment names follow .NET: Murmur:Signing:KeyFile is MURMUR__SIGNING__KEYFILE.");
        return text.ToString();
    }
}
