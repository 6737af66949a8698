using System.Text.Json;
using Murmur.Agents;
using Murmur.Causality;
using Murmur.Events;

namespace Murmur.Topics;

/// <summary>Joining: the local members of the topic.</summary>
internal sealed partial class TopicHost
{
    /// <summary>
    /// Makes <paramref name="id"/> a member: reads the log to its current end (so a restarted node knows who
    /// joined and how far each member got), and appends a <c>JOIN</c> only for a newcomer.
    /// </summary>
    public async Task<TopicMember> JoinAsync(AgentId id, CancellationToken cancellationToken)
    {
        var actor = id.ToString();
        lock (Gate)
        {
            if (!(_joining ??= new HashSet<string>(StringComparer.Ordinal)).Add(actor))
            {
                throw new InvalidOperationException($"'{actor}' is already joining or a member of topic '{Name}' on this node.");
            }
        }
        try
        {
            await Reader.CatchUpAsync(cancellationToken).ConfigureAwait(false);
            if (TryGetMembership(actor, out var index, out var seq))
            {
                return AddMember(id, index, seq);
            }
            var payload = JsonSerializer.SerializeToUtf8Bytes(new JoinPayload(Node.NodeId, Consistency == Consistency.Strict ? "strict" : "eventual", Options.MinMembers), JoinJson.Default.JoinPayload);
            var join = Appender.Create(actor, Actions.Join, payload, VectorClock.Empty, null);
            var position = await Appender.AppendWithRetriesAsync(Appender.Prepare(join).Record, cancellationToken).ConfigureAwait(false);
            await Reader.WaitReadAsync(position, cancellationToken).ConfigureAwait(false);
            if (!TryGetMembership(actor, out index, out seq))
            {
                throw new InvalidOperationException($"The JOIN of '{actor}' to topic '{Name}' was refused; see the node's dead letters.");
            }
            return AddMember(id, index, seq);
        }
        catch
        {
            lock (Gate)
            {
                _joining.Remove(actor);
            }
            throw;
        }
    }

    /// <summary>The actor's roster index and the last own entry of its that the topic has seen (delivered or held).</summary>
    private bool TryGetMembership(string actor, out int index, out ulong seq)
    {
        lock (Gate)
        {
            index = _buffer.Roster.IndexOf(actor);
            seq = index >= 0 ? _buffer.LastEntryOf(index) : 0;
            return index >= 0;
        }
    }

    private TopicMember AddMember(AgentId id, int index, ulong seq)
    {
        var (owner, epoch) = Reader.Screen.CurrentOwner(id.ToString());
        if (epoch > 1 && !string.Equals(owner, Node.NodeId, StringComparison.Ordinal))
        {
            throw new AgentFencedException(id.ToString(), Name, owner, epoch);
        }
        var member = new TopicMember(this, id, index, seq, epoch);
        lock (Gate)
        {
            _members.Add(member);
            HadMembers = true;
        }
        return member;
    }

    public void RemoveMember(TopicMember member)
    {
        lock (Gate)
        {
            _members.Remove(member);
            _joining?.Remove(member.Actor);
        }
    }
}
