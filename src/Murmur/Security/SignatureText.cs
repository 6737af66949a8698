using Murmur.Events;

namespace Murmur.Security;

/// <summary>The <c>keyid:base64</c> text of a signature, shared by the signers.</summary>
internal static class SignatureText
{
    /// <summary>
    /// The first checks of every verifier: an unsigned event (accepted unless signatures are required) and the
    /// <c>keyid:base64</c> form. Returns true with <paramref name="done"/> true when the event is accepted unsigned.
    /// </summary>
    public static bool TrySplit(AgentEvent e, bool require, string form, out bool done, out string keyId, out string value, out string? reason)
    {
        done = false;
        keyId = value = "";
        reason = null;
        if (string.IsNullOrEmpty(e.Signature))
        {
            done = !require;
            reason = require ? "signature: the event is unsigned and this node requires signed events" : null;
            return !require;
        }
        var colon = e.Signature.LastIndexOf(':');
        if (colon <= 0)
        {
            reason = $"signature: not of the form '{form}'";
            return false;
        }
        keyId = e.Signature[..colon];
        value = e.Signature[(colon + 1)..];
        return true;
    }

    public static string Untrusted(string keyId) => $"signature: the key '{Shorten(keyId)}' is not trusted by this node";

    private static string Shorten(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
