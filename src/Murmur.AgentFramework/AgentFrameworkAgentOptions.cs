using Microsoft.Extensions.AI;
using Murmur.Events;

namespace Murmur.AgentFramework;

/// <summary>How a Microsoft Agent Framework <c>AIAgent</c> runs as a Murmur process: what starts a run, which node tools it gets.</summary>
public sealed record AgentFrameworkAgentOptions
{
    /// <summary>The defaults.</summary>
    public static AgentFrameworkAgentOptions Default { get; } = new();

    /// <summary>A first input the agent runs on once it has started; not again once a <c>TASK_COMPLETE</c> of the agent is in the topic (a restart after it).</summary>
    /// <value>null: the agent waits for events.</value>
    public string? Goal { get; init; }

    /// <summary>
    /// The node tools (<c>node.Tools()</c>, including MCP tools and tools other nodes serve to the mesh) offered to the
    /// agent, by name; they run through Murmur's invoker (co-located or remote, recorded, sandboxed). Offered through
    /// <c>ChatClientAgentRunOptions</c>, so an agent built on a chat client (<c>ChatClientAgent</c>) sees them.
    /// </summary>
    /// <value>Empty: only the agent's own function tools.</value>
    public IReadOnlyList<string> AllowedTools { get; init; } = [];

    /// <summary>Which events of other agents become the agent's input messages (and start a run).</summary>
    /// <value>null: a <c>MESSAGE</c> whose payload has <c>"to"</c> equal to this agent, and (when <see cref="ReactToFindings"/>) any <c>FINDING</c>.</value>
    public Func<AgentEvent, string, bool>? Accepts { get; init; }

    /// <summary>Whether another agent's <c>FINDING</c> is an input (when <see cref="Accepts"/> is null).</summary>
    /// <value>true.</value>
    public bool ReactToFindings { get; init; } = true;

    /// <summary>Largest event payload copied into an input message, in characters; longer ones are cut.</summary>
    /// <value>8 000.</value>
    public int MaxEventChars { get; init; } = 8_000;

    /// <summary>Whether the agent's session is published after every run (<see cref="AgentFrameworkActions.Session"/>), so a restart resumes the conversation.</summary>
    /// <value>true.</value>
    public bool PersistSession { get; init; } = true;

    /// <summary>
    /// Where tool approvals are requested and decided: the agent's <see cref="ToolApprovalRequestContent"/>s become
    /// <c>APPROVAL_REQUESTED</c>, and each decision goes back to it as a <see cref="ToolApprovalResponseContent"/>.
    /// Without a desk every approval request is answered "not approved".
    /// </summary>
    /// <value>null.</value>
    public Murmur.AI.Approvals.ApprovalDesk? Approvals { get; init; }

    /// <summary>Node tools (of <see cref="AllowedTools"/>) offered to the agent as needing approval before every call.</summary>
    /// <value>Empty.</value>
    public IReadOnlyList<string> RequireApproval { get; init; } = [];

    /// <summary>Checks the ranges.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="MaxEventChars"/> is below 16.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEventChars, 16, nameof(MaxEventChars));
        ArgumentNullException.ThrowIfNull(AllowedTools, nameof(AllowedTools));
        ArgumentNullException.ThrowIfNull(RequireApproval, nameof(RequireApproval));
    }
}
