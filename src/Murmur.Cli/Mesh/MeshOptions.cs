using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;
using Murmur.Cli.Commands;
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
    private sealed record Spec(string Flag, string? Key, string? Value, string Help, string? SwitchValue = null);

    private static readonly Spec[] Known =
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

    /// <summary>What the options' list in help does not say: precedence and secrets; for every command's help.</summary>
    public static string Help { get; } = BuildHelp();

    /// <summary>The configuration keys the command line set so far, for tests.</summary>
    public IReadOnlyDictionary<string, string?> Overrides => _overrides;

    /// <summary>
    /// Adds these options to <paramref name="command"/> (each defined once, here) and returns how to read them from a
    /// parse result.
    /// </summary>
    public static Func<ParseResult, MeshOptions> AddTo(Command command)
    {
        var symbols = new List<(Spec Spec, Option Option)>();
        foreach (var spec in Known)
        {
            Option option = spec.Value is null
                ? new Option<bool>(spec.Flag) { Description = spec.Help, Arity = ArgumentArity.Zero }
                : new Option<string>(spec.Flag) { Description = spec.Help, HelpName = spec.Value };
            command.Options.Add(option);
            symbols.Add((spec, option));
        }
        return parse => Read(parse, symbols);
    }

    private static MeshOptions Read(ParseResult parse, List<(Spec Spec, Option Option)> symbols)
    {
        var options = new MeshOptions();
        // Switches that set the same key (--require-signatures, --allow-unsigned): the last one given wins.
        var given = symbols
            .Select(s => (s.Spec, Result: parse.GetResult(s.Option)))
            .Where(s => s.Result is { Implicit: false })
            .OrderBy(s => s.Result!.IdentifierToken is { } token ? IndexOf(parse, token) : -1);
        foreach (var (spec, result) in given)
        {
            if (spec.Value is null)
            {
                options._overrides[spec.Key!] = spec.SwitchValue;
            }
            else if (result!.GetValueOrDefault<string>() is { } value)
            {
                if (spec.Key is null)
                {
                    options._configFile = value;
                }
                else
                {
                    options._overrides[spec.Key] = value;
                }
            }
        }
        return options;
    }

    private static int IndexOf(ParseResult parse, Token token)
    {
        for (var i = 0; i < parse.Tokens.Count; i++)
        {
            if (ReferenceEquals(parse.Tokens[i], token))
            {
                return i;
            }
        }
        return -1;
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
        text.AppendLine($"Log and security options ({Known[0].Flag} … {Known[^1].Flag}): --config FILE < MURMUR__… environment variables < the");
        text.AppendLine("command line. Secrets (passwords, tokens) come only from files or the environment, never from this command");
        text.Append("line, and are never printed. Environment names follow .NET: Murmur:Signing:KeyFile is MURMUR__SIGNING__KEYFILE.");
        return text.ToString();
    }
}
