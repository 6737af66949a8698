using Murmur.AI.Agents;

namespace Murmur.AI.Approvals;

/// <summary>Starts an <see cref="ApprovalDesk"/> on a node's log, with its id, signing keys and clock.</summary>
public static class MurmurNodeApprovalExtensions
{
    /// <summary>
    /// Starts a desk on <paramref name="node"/>'s log that decides as the node (its id, or with signing its key's node).
    /// Give it to agents in <see cref="LlmAgentOptions.Approvals"/>; dispose it before the node.
    /// </summary>
    public static Task<ApprovalDesk> StartApprovalDeskAsync(this MurmurNode node, ApprovalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        return ApprovalDesk.StartAsync(node.Log, node.NodeId, options, node.Options.Signing, node.TimeProvider, cancellationToken);
    }
}
