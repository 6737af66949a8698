namespace Murmur.Configuration;

/// <summary>What a <see cref="SecurityWarning"/> says is off.</summary>
public enum SecurityWarningKind
{
    /// <summary>Events are neither signed nor verified: anyone who can append to the log can write as any agent.</summary>
    Unsigned,

    /// <summary>Events are signed and signatures checked, but unsigned events are accepted.</summary>
    UnsignedAccepted,

    /// <summary>The private signing key can be read by other users of the machine.</summary>
    KeyFileExposed,

    /// <summary>The connection to the log carries no credentials.</summary>
    Unauthenticated,

    /// <summary>The connection to a log on another machine is not encrypted.</summary>
    Unencrypted,
}
