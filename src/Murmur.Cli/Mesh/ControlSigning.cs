using Murmur.Security;

namespace Murmur.Cli.Mesh;

/// <summary>
/// The node's keys for events outside agent topics — the task announcements of the control topic — which a node's
/// topics do not check (they carry no JOIN): signs what <c>murmur task start</c> appends, verifies what nodes read.
/// </summary>
/// <remarks>Thread-safe. Dispose it: ECDSA keys hold native handles.</remarks>
internal sealed class ControlSigning : IDisposable
{
    private readonly IDisposable? _keys;

    private ControlSigning(IEventSigner signer, IEventVerifier verifier, IDisposable? keys)
    {
        Signer = signer;
        Verifier = verifier;
        _keys = keys;
    }

    public IEventSigner Signer { get; }

    public IEventVerifier Verifier { get; }

    /// <summary>The signer and verifier of <paramref name="signing"/>, or null when events are not signed.</summary>
    public static ControlSigning? Create(EventSigning? signing)
    {
        if (signing is null)
        {
            return null;
        }
        if (signing.Algorithm == SigningAlgorithm.EcdsaP256Sha256)
        {
            var ecdsa = new EcdsaEventSigner(signing);
            return new ControlSigning(ecdsa, ecdsa, ecdsa);
        }
        var hmac = new HmacEventSigner(signing);
        return new ControlSigning(hmac, hmac, null);
    }

    public void Dispose() => _keys?.Dispose();
}
