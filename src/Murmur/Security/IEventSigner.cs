using Murmur.Events;

namespace Murmur.Security;

/// <summary>Signs events before they are appended.</summary>
public interface IEventSigner
{
    /// <summary>The id of the key this signer uses.</summary>
    string KeyId { get; }

    /// <summary>Returns a copy of <paramref name="event"/> whose <see cref="AgentEvent.Signature"/> is <c>keyid:base64(mac)</c> over its canonical encoding without the signature.</summary>
    AgentEvent Sign(AgentEvent @event);
}

/// <summary>Verifies the signatures of events read from a log.</summary>
public interface IEventVerifier
{
    /// <summary>Checks the signature of <paramref name="event"/>.</summary>
    /// <param name="event">The decoded event.</param>
    /// <param name="keyId">The key id that signed it, when it verified; null for an accepted unsigned event.</param>
    /// <param name="reason">Why it was refused, when it was.</param>
    /// <returns>True when the event is accepted.</returns>
    bool TryVerify(AgentEvent @event, out string? keyId, out string? reason);
}
