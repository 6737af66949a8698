using System.Security.Cryptography;
using Murmur.Events;

namespace Murmur.Security;

/// <summary>
/// HMAC-SHA256 signatures over the canonical encoding of an event without its <c>signature</c> field
/// (<see cref="AgentEventCodec.Encode(AgentEvent)"/>, which is byte-stable for decoded events).
/// </summary>
/// <remarks>Thread-safe: every call uses one-shot HMAC functions.</remarks>
public sealed class HmacEventSigner : IEventSigner, IEventVerifier
{
    private readonly byte[] _key;
    private readonly Dictionary<string, byte[]> _trusted = new(StringComparer.Ordinal);
    private readonly bool _require;

    /// <summary>Creates a signer and verifier from validated settings.</summary>
    public HmacEventSigner(EventSigning signing)
    {
        ArgumentNullException.ThrowIfNull(signing);
        KeyId = signing.KeyId;
        _key = signing.Key.ToArray();
        _require = signing.RequireSignatures;
        foreach (var (id, key) in signing.TrustedKeys)
        {
            _trusted[id] = key.ToArray();
        }
        _trusted[KeyId] = _key;
    }

    /// <inheritdoc/>
    public string KeyId { get; }

    /// <inheritdoc/>
    public AgentEvent Sign(AgentEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var unsigned = WithSignature(@event, null);
        var mac = HMACSHA256.HashData(_key, AgentEventCodec.Encode(unsigned));
        return WithSignature(@event, KeyId + ":" + Convert.ToBase64String(mac));
    }

    /// <inheritdoc/>
    public bool TryVerify(AgentEvent @event, out string? keyId, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(@event);
        keyId = null;
        if (!SignatureText.TrySplit(@event, _require, "keyid:base64(hmac)", out var done, out var id, out var value, out reason) || done)
        {
            return done;
        }
        if (!_trusted.TryGetValue(id, out var key))
        {
            reason = SignatureText.Untrusted(id);
            return false;
        }
        Span<byte> claimed = stackalloc byte[HMACSHA256.HashSizeInBytes + 3];
        if (!Convert.TryFromBase64String(value, claimed, out var written) || written != HMACSHA256.HashSizeInBytes)
        {
            reason = $"signature: the MAC of key '{id}' is not {HMACSHA256.HashSizeInBytes} bytes of base64";
            return false;
        }
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, AgentEventCodec.Encode(WithSignature(@event, null)), expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, claimed[..written]))
        {
            reason = $"signature: the MAC does not match the event's content under key '{id}' (tampered, or signed with another key)";
            return false;
        }
        keyId = id;
        return true;
    }

    /// <summary>A copy of the event with another signature (null removes it).</summary>
    internal static AgentEvent WithSignature(AgentEvent e, string? signature)
        => new(e.EventId, e.Actor, e.Action, e.Payload, e.Clock, validated: true)
        {
            Topic = e.Topic,
            Timestamp = e.Timestamp,
            Round = e.Round,
            DependsOn = e.DependsOn,
            TraceParent = e.TraceParent,
            Epoch = e.Epoch,
            Signature = signature,
        };
}
