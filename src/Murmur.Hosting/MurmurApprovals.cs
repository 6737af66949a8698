using Murmur.AI.Approvals;

namespace Murmur.Hosting;

/// <summary>
/// The hosted node's approvals (registered by <see cref="MurmurBuilder.AddApprovals"/>): list the tool calls waiting
/// for a person, approve or deny them, and give agents the <see cref="Desk"/> they wait on.
/// </summary>
/// <remarks>Thread-safe. The desk starts with the node, before agents spawn, and stops after the node (and its agents) did.</remarks>
public sealed class MurmurApprovals
{
    private ApprovalDesk? _desk;

    internal MurmurApprovals(ApprovalOptions options) => Options = options;

    /// <summary>Who may decide and how long requests wait.</summary>
    public ApprovalOptions Options { get; }

    /// <summary>The node's desk; give it to agents in <c>LlmAgentOptions.Approvals</c> from an <c>AddAgent</c> factory.</summary>
    /// <exception cref="InvalidOperationException">The node is not running.</exception>
    public ApprovalDesk Desk => Volatile.Read(ref _desk) ?? throw new InvalidOperationException("The approvals desk is not running: the host has not started the node yet, or it is stopping.");

    /// <summary>The calls waiting for a decision, oldest first.</summary>
    public IReadOnlyList<ApprovalRequest> Pending => Desk.Pending;

    /// <summary>Approves a waiting call as the node (see <see cref="ApprovalDesk.ApproveAsync"/>).</summary>
    public Task<ApprovalDecision> ApproveAsync(string callId, string? reason = null, CancellationToken cancellationToken = default)
        => Desk.ApproveAsync(callId, reason, cancellationToken);

    /// <summary>Denies a waiting call as the node (see <see cref="ApprovalDesk.DenyAsync"/>).</summary>
    public Task<ApprovalDecision> DenyAsync(string callId, string reason, CancellationToken cancellationToken = default)
        => Desk.DenyAsync(callId, reason, cancellationToken);

    internal async Task StartAsync(MurmurNode node, CancellationToken cancellationToken)
        => Volatile.Write(ref _desk, await node.StartApprovalDeskAsync(Options, cancellationToken).ConfigureAwait(false));

    internal async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _desk, null) is { } desk)
        {
            await desk.DisposeAsync().ConfigureAwait(false);
        }
    }
}
