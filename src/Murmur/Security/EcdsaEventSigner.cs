using System.Security.Cryptography;
using Murmur.Events;

namespace Murmur.Security;

/// <summary>
/// ECDSA P-256 / SHA-256 signatures (IEEE P1363, 64 bytes) over the canonical encoding of an event without its
/// <c>signature</c> field: each node signs with its private key; the others verify with its public key.
/// </summary>
/// <remarks>Thread-safe (each key is used under its own lock). Dispose it with the node.</remarks>
public sealed class EcdsaEventSigner : IEventSigner, IEventVerifier, IDisposable
{
    private const int SignatureBytes = 64;
    private readonly ECDsa _private;
    private readonly Dictionary<string, ECDsa> _trusted = new(StringComparer.Ordinal);
    private readonly bool _require;

    /// <summary>Creates a signer and verifier from settings whose <see cref="EventSigning.Algorithm"/> is ECDSA.</summary>
    /// <exception cref="ArgumentException">The settings are for another algorithm, or a key cannot be read.</exception>
    public EcdsaEventSigner(EventSigning signing)
    {
        ArgumentNullException.ThrowIfNull(signing);
        if (signing.Algorithm != SigningAlgorithm.EcdsaP256Sha256)
        {
            throw new ArgumentException($"The signing settings are for {signing.Algorithm}, not ECDSA.", nameof(signing));
        }
        KeyId = signing.KeyId;
        _require = signing.RequireSignatures;
        _private = EventSigning.ImportEcdsa(KeyId, k => k.ImportPkcs8PrivateKey(signing.Key.Span, out _));
        foreach (var (id, key) in signing.TrustedKeys)
        {
            _trusted[id] = EventSigning.ImportEcdsa(id, k => k.ImportSubjectPublicKeyInfo(key.Span, out _));
        }
        _trusted[KeyId] = EventSigning.ImportEcdsa(KeyId, k => k.ImportSubjectPublicKeyInfo(_private.ExportSubjectPublicKeyInfo(), out _));
    }

    /// <inheritdoc/>
    public string KeyId { get; }

    /// <inheritdoc/>
    public AgentEvent Sign(AgentEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var content = AgentEventCodec.Encode(HmacEventSigner.WithSignature(@event, null));
        byte[] signature;
        lock (_private)
        {
            signature = _private.SignData(content, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        return HmacEventSigner.WithSignature(@event, KeyId + ":" + Convert.ToBase64String(signature));
    }

    /// <inheritdoc/>
    public bool TryVerify(AgentEvent @event, out string? keyId, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(@event);
        keyId = null;
        if (!SignatureText.TrySplit(@event, _require, "keyid:base64(ecdsa)", out var done, out var id, out var value, out reason) || done)
        {
            return done;
        }
        if (!_trusted.TryGetValue(id, out var key))
        {
            reason = SignatureText.Untrusted(id);
            return false;
        }
        Span<byte> claimed = stackalloc byte[SignatureBytes + 3];
        if (!Convert.TryFromBase64String(value, claimed, out var written) || written != SignatureBytes)
        {
            reason = $"signature: the ECDSA signature of key '{id}' is not {SignatureBytes} bytes of base64";
            return false;
        }
        var content = AgentEventCodec.Encode(HmacEventSigner.WithSignature(@event, null));
        bool valid;
        lock (key)
        {
            valid = key.VerifyData(content, claimed[..written], HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        if (!valid)
        {
            reason = $"signature: the ECDSA signature does not match the event's content under key '{id}' (tampered, or signed with another key)";
            return false;
        }
        keyId = id;
        return true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _private.Dispose();
        foreach (var key in _trusted.Values)
        {
            key.Dispose();
        }
    }
}
