using Murmur.Configuration;
using Murmur.Security;

namespace Murmur.Cli.Commands;

/// <summary>Who the command line decides as: the node of its signing key, else <c>--as NAME</c>, else the user's login name.</summary>
internal static class ApprovalPrincipal
{
    public static string Of(NodeSetup setup, string? named)
    {
        if (setup.Signing is { } signing)
        {
            var node = EventSigning.NodeOf(signing.KeyId);
            return named is null || named == node
                ? node
                : throw new UsageException($"--as '{named}' does not match the signing key's node '{node}': a signed decision is made as the key's node.");
        }
        return named ?? setup.NodeId ?? Environment.UserName;
    }
}
