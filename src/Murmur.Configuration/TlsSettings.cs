namespace Murmur.Configuration;

/// <summary>TLS from this node to the log's servers (<c>Murmur:Log:Tls</c>), for NATS and Kafka alike.</summary>
public sealed class TlsSettings
{
    /// <summary>Require TLS (<c>Murmur:Log:Tls:Enabled</c>, <c>--tls</c>).</summary>
    /// <value>Defaults to <see langword="null"/>: on when a CA or client certificate is set or the URL is <c>tls://</c>.</value>
    public bool? Enabled { get; set; }

    /// <summary>The CA certificate (PEM) that signed the servers' certificates (<c>Murmur:Log:Tls:CaFile</c>, <c>--tls-ca</c>).</summary>
    /// <value>Defaults to <see langword="null"/>: the system's trusted CAs.</value>
    public string? CaFile { get; set; }

    /// <summary>This node's client certificate (PEM), for servers that verify clients (<c>Murmur:Log:Tls:CertFile</c>, <c>--tls-cert</c>).</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? CertFile { get; set; }

    /// <summary>The private key (PEM) of <see cref="CertFile"/> (<c>Murmur:Log:Tls:KeyFile</c>, <c>--tls-key</c>).</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? KeyFile { get; set; }
}
