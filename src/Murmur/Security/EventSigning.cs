namespace Murmur;

/// <summary>
/// Signed events: this node's HMAC-SHA256 key and the keys of the nodes it trusts. Set
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
/// the keys it needs to verify, and treat every key file as a secret.
/// </para>
/// </remarks>
public sealed record EventSigning
{
    /// <summary>The smallest key accepted, in bytes (HMAC-SHA256 keys shorter than the hash weaken it).</summary>
    public const int MinKeyBytes = 32;

    /// <summary>This node's key id (see the remarks).</summary>
    public required string KeyId { get; init; }

    /// <summary>This node's secret key.</summary>
    public required ReadOnlyMemory<byte> Key { get; init; }

    /// <summary>The keys of the other nodes whose events are accepted, by key id. This node's own key is always trusted.</summary>
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
