namespace Murmur.Configuration;

/// <summary>
/// Signed events (<c>Murmur:Signing</c>): this node's private key and the public keys of the nodes it trusts, in
/// the layout <c>murmur keys new</c> writes (<c>KEYID.pem</c> private, <c>KEYID.pub.pem</c> public).
/// </summary>
public sealed class SigningSettings
{
    /// <summary><c>EcdsaP256Sha256</c> or <c>HmacSha256</c> (<c>Murmur:Signing:Algorithm</c>).</summary>
    /// <value>Defaults to <see langword="null"/>: ECDSA for a <c>.pem</c> key file, HMAC for a <c>.key</c> file.</value>
    public string? Algorithm { get; set; }

    /// <summary>
    /// This node's private key (<c>Murmur:Signing:KeyFile</c>, <c>--sign-key</c>): <c>KEYID.pem</c> (ECDSA, PKCS#8 PEM)
    /// or <c>KEYID.key</c> (HMAC, base64). Its file name is the key id unless <see cref="KeyId"/> is set.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: events are neither signed nor verified.</value>
    public string? KeyFile { get; set; }

    /// <summary>The key id (<c>Murmur:Signing:KeyId</c>): <c>node</c> or <c>node/version</c>.</summary>
    /// <value>Defaults to <see langword="null"/>: the key file's name (<c>_</c> for <c>/</c>).</value>
    public string? KeyId { get; set; }

    /// <summary>
    /// The keys of the nodes this node trusts (<c>Murmur:Signing:TrustedKeys</c>, <c>--trust-keys</c>): comma-separated
    /// directories (every <c>*.pub.pem</c> in them, or <c>*.key</c> for HMAC) or single key files.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: only this node's own key.</value>
    public string? TrustedKeys { get; set; }

    /// <summary>Refuse unsigned events (<c>Murmur:Signing:RequireSignatures</c>, <c>--require-signatures</c> / <c>--allow-unsigned</c>).</summary>
    /// <value>Defaults to <see langword="null"/>: true whenever a key is set.</value>
    public bool? RequireSignatures { get; set; }
}
