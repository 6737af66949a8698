namespace Murmur.Security;

/// <summary>How events are signed (<see cref="EventSigning.Algorithm"/>).</summary>
public enum SigningAlgorithm
{
    /// <summary>HMAC-SHA256 with per-node shared secrets: fast, but a node that holds another node's key can sign as it.</summary>
    HmacSha256,

    /// <summary>
    /// ECDSA over P-256 with SHA-256: each node signs with its private key and others verify with its public key,
    /// so no node can sign as another whatever keys it holds. Slower than HMAC (tens of µs per event).
    /// </summary>
    EcdsaP256Sha256,
}
