namespace Murmur.Configuration;

/// <summary>A protection that is off, what that allows, and the option that turns it on; shown once when a node starts.</summary>
/// <param name="Kind">What is off.</param>
/// <param name="Message">What is off and what it allows.</param>
/// <param name="Fix">The options (command line, configuration key) that turn it on.</param>
public sealed record SecurityWarning(SecurityWarningKind Kind, string Message, string Fix)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Message}; {Fix}";
}
