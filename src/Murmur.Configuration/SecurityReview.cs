using System.Net;
using Murmur.Kafka;
using Murmur.Nats;
using Murmur.Security;

namespace Murmur.Configuration;

/// <summary>Lists what a resolved node leaves open: unsigned events, an unauthenticated or unencrypted log connection.</summary>
internal static class SecurityReview
{
    public static IReadOnlyList<SecurityWarning> Review(EventSigning? signing, SigningSettings settings, NatsEventLogOptions? nats, KafkaEventLogOptions? kafka)
    {
        var warnings = new List<SecurityWarning>();
        var keyFile = settings.KeyFile;
        if (signing is null)
        {
            var trustedOnly = string.IsNullOrWhiteSpace(settings.TrustedKeys) ? "" : $" ({SettingKeys.SigningTrustedKeys} is set, but without a key of its own this node verifies nothing)";
            warnings.Add(new(SecurityWarningKind.Unsigned,
                $"events are not signed{trustedOnly}: anyone who can append to the log can write events as any agent",
                $"turn signing on with --sign-key KEYID.pem --trust-keys DIR ({SettingKeys.SigningKeyFile}, {SettingKeys.SigningTrustedKeys}); 'murmur keys new' makes the keys"));
        }
        else
        {
            if (!signing.RequireSignatures)
            {
                warnings.Add(new(SecurityWarningKind.UnsignedAccepted,
                    "unsigned events are accepted (signatures are checked only when present)",
                    $"refuse them with --require-signatures ({SettingKeys.SigningRequireSignatures}=true)"));
            }
            if (keyFile is not null && File.Exists(keyFile) && SettingFiles.ReadableByOthers(Path.GetFullPath(keyFile)))
            {
                warnings.Add(new(SecurityWarningKind.KeyFileExposed,
                    $"the private signing key '{keyFile}' can be read by other users of this machine",
                    $"chmod 600 '{keyFile}'"));
            }
        }
        if (nats is not null)
        {
            if (nats.Username is null && nats.Token is null && nats.NKeyFile is null && nats.CredsFile is null && nats.CertFile is null)
            {
                warnings.Add(new(SecurityWarningKind.Unauthenticated,
                    $"the connection to {nats.RedactedUrl} is not authenticated: any client that reaches the servers can read and write every topic",
                    $"authenticate with --nats-nkey FILE or --nats-creds FILE ({SettingKeys.NatsNKeyFile}, {SettingKeys.NatsCredsFile}), a client certificate (--tls-cert/--tls-key), or {SettingKeys.EnvironmentVariable(SettingKeys.NatsToken)}"));
            }
            if (!nats.RequireTls && !AllLoopback(nats.Url.Split(',').Select(HostOfUrl)))
            {
                warnings.Add(new(SecurityWarningKind.Unencrypted,
                    $"the connection to {nats.RedactedUrl} is not encrypted: events and credentials cross the network in clear",
                    $"require TLS with --tls-ca FILE ({SettingKeys.TlsCaFile}) or a tls:// URL"));
            }
        }
        if (kafka is not null)
        {
            if (kafka.SaslMechanism is null && kafka.SslCertificateLocation is null)
            {
                warnings.Add(new(SecurityWarningKind.Unauthenticated,
                    $"the connection to Kafka at {kafka.BootstrapServers} is not authenticated: any client that reaches the brokers can read and write every topic",
                    $"authenticate with --kafka-sasl-mechanism and --kafka-sasl-user ({SettingKeys.KafkaSaslMechanism}, {SettingKeys.KafkaSaslUsername}; the password in {SettingKeys.EnvironmentVariable(SettingKeys.KafkaSaslPassword)}) or a client certificate (--tls-cert/--tls-key)"));
            }
            if (kafka.SecurityProtocol is not (Confluent.Kafka.SecurityProtocol.Ssl or Confluent.Kafka.SecurityProtocol.SaslSsl)
                && !AllLoopback(kafka.BootstrapServers.Split(',').Select(HostOfServer)))
            {
                warnings.Add(new(SecurityWarningKind.Unencrypted,
                    $"the connection to Kafka at {kafka.BootstrapServers} is not encrypted: events and credentials cross the network in clear",
                    $"use TLS with --tls-ca FILE ({SettingKeys.TlsCaFile})"));
            }
        }
        return warnings;
    }

    private static string HostOfUrl(string url) => Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) ? uri.Host : url;

    private static string HostOfServer(string server)
    {
        server = server.Trim();
        var colon = server.LastIndexOf(':');
        return colon > 0 && !server.EndsWith(']') ? server[..colon].Trim('[', ']') : server.Trim('[', ']');
    }

    /// <summary>A log on this machine only: traffic never leaves it, so TLS is not required for privacy.</summary>
    private static bool AllLoopback(IEnumerable<string> hosts)
        => hosts.All(h => string.Equals(h, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(h.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));
}
