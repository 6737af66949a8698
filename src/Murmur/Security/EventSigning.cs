namespace Murmur.Security;

/// <summary>
/// Signed events: this node's key and the keys of the nodes it trusts — HMAC-SHA256 shared secrets, or ECDSA P-256
/// key pairs (<see cref="Algorithm"/>). Set
/// <see cref="MurmurNodeOptions.Signing"/> to sign every event this node appends and to verify every event it reads.
/// </summary>
/// <remarks>
/// <para>
/// A key id names a node: <c>node</c>, or <c>node/version</c> when a node rotates keys. The part before the first
/// <c>/</c> must equal the node's <see cref="MurmurNodeOptions.NodeId"/>, because ownership of actors is decided by
/// the <c>node</c> a <c>JOIN</c> names. Keys are loaded from files or configuration (<see cref="FromKeyDirectory"/>,
/// <see cref="FromBase64"/>); never put them in source code.
/// </para>
/// <para>
/// HMAC keys are shared secrets: a node that holds another node's key can sign as that node. Give each node only
/// the keys it needs to verify, and treat every key file as a secret. With <see cref="SigningAlgorithm.EcdsaP256Sha256"/>
/// a node holds only its own private key and the others' public keys (<see cref="FromEcdsaPem"/>,
/// <see cref="FromEcdsaKeyDirectory"/>), so a compromised node cannot sign as another.
/// </para>
/// </remarks>
public sealed record EventSigning
{
    /// <summary>The smallest key accepted, in bytes (HMAC-SHA256 keys shorter than the hash weaken it).</summary>
    public const int MinKeyBytes = 32;

    /// <summary>How events are signed.</summary>
    /// <value>Defaults to <see cref="SigningAlgorithm.HmacSha256"/>.</value>
    public SigningAlgorithm Algorithm { get; init; } = SigningAlgorithm.HmacSha256;

    /// <summary>This node's key id (see the remarks).</summary>
    public required string KeyId { get; init; }

    /// <summary>This node's secret key: the HMAC key, or the ECDSA private key in PKCS#8 (DER).</summary>
    public required ReadOnlyMemory<byte> Key { get; init; }

    /// <summary>
    /// The keys of the other nodes whose events are accepted, by key id: HMAC keys, or ECDSA public keys as
    /// SubjectPublicKeyInfo (DER). This node's own key is always trusted.
    /// </summary>
    /// <value>Defaults to none.</value>
    public IReadOnlyDictionary<string, ReadOnlyMemory<byte>> TrustedKeys { get; init; } = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);

    /// <summary>When true, unsigned events are refused; when false they are accepted, but a present signature is still verified.</summary>
    /// <value>Defaults to true.</value>
    public bool RequireSignatures { get; init; } = true;

    /// <summary>The node a key id belongs to: the part before the first <c>/</c>.</summary>
    public static string NodeOf(string keyId)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        var slash = keyId.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? keyId : keyId[..slash];
    }

    /// <summary>
    /// Loads keys from a directory of <c>KEYID.key</c> files, each holding the key in base64 (white space ignored):
    /// this node's key is <c>KEYID.key</c> for <paramref name="keyId"/>; every other <c>*.key</c> file is a trusted node's key.
    /// Key ids with a <c>/</c> are stored with <c>_</c> in its place in the file name.
    /// </summary>
    /// <exception cref="FileNotFoundException">This node's key file is missing.</exception>
    /// <exception cref="FormatException">A key file does not hold base64.</exception>
    public static EventSigning FromKeyDirectory(string keyId, string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var own = Path.Combine(directory, keyId.Replace('/', '_') + ".key");
        if (!File.Exists(own))
        {
            throw new FileNotFoundException($"This node's signing key '{own}' does not exist.", own);
        }
        var trusted = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(directory, "*.key"))
        {
            var id = Path.GetFileNameWithoutExtension(file);
            var slash = id.IndexOf('_', StringComparison.Ordinal);
            id = slash < 0 ? id : string.Concat(id.AsSpan(0, slash), "/", id.AsSpan(slash + 1));
            trusted[id] = ReadKeyFile(file);
        }
        var key = trusted[keyId];
        trusted.Remove(keyId);
        return new EventSigning { KeyId = keyId, Key = key, TrustedKeys = trusted };
    }

    /// <summary>Creates the settings from base64 strings, e.g. read from configuration or environment variables.</summary>
    /// <param name="keyId">This node's key id.</param>
    /// <param name="keyBase64">This node's key.</param>
    /// <param name="trustedBase64">Trusted key ids and their keys.</param>
    /// <exception cref="FormatException">A key is not base64.</exception>
    public static EventSigning FromBase64(string keyId, string keyBase64, IEnumerable<KeyValuePair<string, string>>? trustedBase64 = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyBase64);
        var trusted = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (var (id, value) in trustedBase64 ?? [])
        {
            trusted[id] = Convert.FromBase64String(value);
        }
        return new EventSigning { KeyId = keyId, Key = Convert.FromBase64String(keyBase64), TrustedKeys = trusted };
    }

    /// <summary>
    /// ECDSA P-256 settings from PEM text: this node's private key (<c>-----BEGIN PRIVATE KEY-----</c>, or an EC
    /// private key) and the public keys (<c>-----BEGIN PUBLIC KEY-----</c>) of the nodes it trusts.
    /// </summary>
    /// <exception cref="ArgumentException">A PEM block is not a P-256 key of the expected kind; the message names the key id.</exception>
    public static EventSigning FromEcdsaPem(string keyId, string privateKeyPem, IEnumerable<KeyValuePair<string, string>>? trustedPublicKeyPems = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentException.ThrowIfNullOrEmpty(privateKeyPem);
        using var own = ImportEcdsa(keyId, key => key.ImportFromPem(privateKeyPem));
        var trusted = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (var (id, pem) in trustedPublicKeyPems ?? [])
        {
            using var key = ImportEcdsa(id, k => k.ImportFromPem(pem));
            trusted[id] = key.ExportSubjectPublicKeyInfo();
        }
        return new EventSigning { Algorithm = SigningAlgorithm.EcdsaP256Sha256, KeyId = keyId, Key = own.ExportPkcs8PrivateKey(), TrustedKeys = trusted };
    }

    /// <summary>
    /// ECDSA P-256 settings from a directory: this node's private key in <c>KEYID.pem</c>, and every other node's
    /// public key in <c>KEYID.pub.pem</c> (key ids with a <c>/</c> use <c>_</c> in file names). A node's own
    /// <c>.pub.pem</c> may sit beside its private key; it is not needed.
    /// </summary>
    /// <exception cref="FileNotFoundException">This node's private key file is missing.</exception>
    public static EventSigning FromEcdsaKeyDirectory(string keyId, string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var own = Path.Combine(directory, keyId.Replace('/', '_') + ".pem");
        if (!File.Exists(own))
        {
            throw new FileNotFoundException($"This node's private signing key '{own}' does not exist.", own);
        }
        var trusted = new List<KeyValuePair<string, string>>();
        foreach (var file in Directory.EnumerateFiles(directory, "*.pub.pem"))
        {
            var name = Path.GetFileName(file)[..^".pub.pem".Length];
            var slash = name.IndexOf('_', StringComparison.Ordinal);
            var id = slash < 0 ? name : string.Concat(name.AsSpan(0, slash), "/", name.AsSpan(slash + 1));
            if (!string.Equals(id, keyId, StringComparison.Ordinal))
            {
                trusted.Add(new(id, File.ReadAllText(file)));
            }
        }
        return FromEcdsaPem(keyId, File.ReadAllText(own), trusted);
    }

    internal static System.Security.Cryptography.ECDsa ImportEcdsa(string keyId, Action<System.Security.Cryptography.ECDsa> import)
    {
        var key = System.Security.Cryptography.ECDsa.Create();
        try
        {
            import(key);
            if (key.KeySize != 256)
            {
                throw new ArgumentException($"The ECDSA key '{keyId}' is {key.KeySize}-bit; P-256 is required.", nameof(keyId));
            }
            return key;
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or ArgumentException and not ArgumentException { ParamName: nameof(keyId) })
        {
            key.Dispose();
            throw new ArgumentException($"The ECDSA key '{keyId}' cannot be read: {ex.Message}", nameof(keyId), ex);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static byte[] ReadKeyFile(string path)
    {
        var text = File.ReadAllText(path);
        try
        {
            return Convert.FromBase64String(string.Concat(text.Where(c => !char.IsWhiteSpace(c))));
        }
        catch (FormatException ex)
        {
            throw new FormatException($"The key file '{path}' does not hold a base64 key.", ex);
        }
    }

    internal void Validate(string nodeId)
    {
        ArgumentException.ThrowIfNullOrEmpty(KeyId);
        ArgumentNullException.ThrowIfNull(TrustedKeys);
        if (KeyId.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The key id '{KeyId}' may not contain ':'.", nameof(KeyId));
        }
        if (!string.Equals(NodeOf(KeyId), nodeId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The key id '{KeyId}' must name this node '{nodeId}' (as '{nodeId}' or '{nodeId}/version').", nameof(KeyId));
        }
        if (Algorithm == SigningAlgorithm.EcdsaP256Sha256)
        {
            using var own = ImportEcdsa(KeyId, k => k.ImportPkcs8PrivateKey(Key.Span, out _));
            foreach (var (id, key) in TrustedKeys)
            {
                using var other = ImportEcdsa(id, k => k.ImportSubjectPublicKeyInfo(key.Span, out _));
            }
            return;
        }
        if (Key.Length < MinKeyBytes)
        {
            throw new ArgumentException($"The signing key of '{KeyId}' has {Key.Length} bytes; at least {MinKeyBytes} are required.", nameof(Key));
        }
        foreach (var (id, key) in TrustedKeys)
        {
            if (key.Length < MinKeyBytes)
            {
                throw new ArgumentException($"The trusted key '{id}' has {key.Length} bytes; at least {MinKeyBytes} are required.", nameof(TrustedKeys));
            }
        }
    }
}
