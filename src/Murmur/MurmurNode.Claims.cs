using System.Text.Json;
using Murmur.Agents;
using Murmur.Causality;
using Murmur.Diagnostics;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur;

public sealed partial class MurmurNode
{
    /// <summary>
    /// Claims <paramref name="agent"/> of <paramref name="topic"/> for this node at the next epoch: appends a <c>CLAIM</c>
    /// with a derived event id (so concurrent claims of one epoch are one record where the log de-duplicates, and otherwise
    /// the first in the log wins) and reads the topic up to it. From the claim's position on, every node refuses the
    /// agent's events of older epochs, and the old owner stops its copy. Afterwards, <see cref="SpawnAsync(AgentId, Func{Agent}, Topic, SpawnOptions?, CancellationToken)"/>
    /// resumes the agent here from the log (its roster index and own sequence, its snapshot).
    /// </summary>
    /// <param name="topic">The topic the agent is a member of (followed by this node).</param>
    /// <param name="agent">The agent to take over.</param>
    /// <param name="fromNode">Only claim while this node owns it (e.g. the node declared down); null claims from any owner.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The epoch this node now holds the agent at, or null when another node owns it (it claimed first, or <paramref name="fromNode"/> no longer owns it).</returns>
    /// <exception cref="InvalidOperationException">The agent has no <c>JOIN</c> in the topic.</exception>
    /// <exception cref="EventLogException">The log failed.</exception>
    public async Task<ulong?> ClaimAsync(Topic topic, AgentId agent, string? fromNode = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var host = topic.Host;
        var actor = agent.ToString();
        await host.Reader.CatchUpAsync(cancellationToken).ConfigureAwait(false);
        if (host.Roster.IndexOf(actor) < 0)
        {
            throw new InvalidOperationException($"'{actor}' has no JOIN in topic '{topic.Name}'; there is nothing to claim.");
        }
        var (owner, epoch) = host.Reader.Screen.CurrentOwner(actor);
        if (fromNode is not null && !string.Equals(owner, fromNode, StringComparison.Ordinal))
        {
            return string.Equals(owner, NodeId, StringComparison.Ordinal) ? epoch : null;
        }
        using var activity = MurmurDiagnostics.StartFleet("claim", NodeId, actor);
        var next = epoch + 1;
        var payload = JsonSerializer.SerializeToUtf8Bytes(new ClaimPayload(actor, NodeId, next), ClaimJson.Default.ClaimPayload);
        var claim = host.Appender.Create(actor, Actions.Claim, payload, VectorClock.Empty, null, eventId: ClaimPayload.EventIdFor(actor, next));
        var position = await host.Appender.AppendWithRetriesAsync(host.Appender.Prepare(claim).Record, cancellationToken).ConfigureAwait(false);
        await host.Reader.WaitReadAsync(position, cancellationToken).ConfigureAwait(false);
        var (won, at) = host.Reader.Screen.CurrentOwner(actor);
        var mine = string.Equals(won, NodeId, StringComparison.Ordinal) && at >= next;
        activity?.SetTag("murmur.epoch", at);
        activity?.SetTag("murmur.claim.won", mine);
        if (mine)
        {
            MurmurDiagnostics.CountFleet(MurmurDiagnostics.Takeovers, NodeId);
        }
        return mine ? at : null;
    }

    /// <summary>The node that owns <paramref name="agent"/> in <paramref name="topic"/> now, and its epoch (1 = the node that joined it).</summary>
    public static (string? Node, ulong Epoch) OwnerOf(Topic topic, AgentId agent)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return topic.Host.Reader.Screen.CurrentOwner(agent.ToString());
    }
}
