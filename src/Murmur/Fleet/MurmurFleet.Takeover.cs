using Murmur.Agents;
using Murmur.Diagnostics;
using Murmur.Logs;

namespace Murmur.Fleet;

public sealed partial class MurmurFleet
{
    /// <summary>A <c>NODE_DOWN</c> read from the log: this run's own (it must go), or another's, whose agents are taken over.</summary>
    private void OnDown(NodeDownPayload down)
    {
        IReadOnlyList<OwnedAgent> dead = [];
        lock (_gate)
        {
            if (_down.Contains((down.By, down.ByIncarnation)))
            {
                FleetLogMessages.VoidDown(_logger, down.Node, down.By);
                return;
            }
            if (!_down.Add((down.Node, down.Incarnation)))
            {
                return; // another node's declaration of the same incarnation, later in the log
            }
            if (_observed.TryGetValue(down.Node, out var observed) && observed.Announcement.Incarnation == down.Incarnation)
            {
                dead = AgentsOfLocked(observed.Announcement);
            }
        }
        FleetLogMessages.Down(_logger, down.Node, down.Incarnation, down.By);
        NodeDown?.Invoke(down);
        if (_options.ObserveOnly)
        {
            return;
        }
        if (string.Equals(down.Node, NodeId, StringComparison.Ordinal))
        {
            if (down.Incarnation == Incarnation)
            {
                FleetLogMessages.SelfDown(_logger, Incarnation, down.By);
                DeclaredDown?.Invoke(down);
            }
            return;
        }
        foreach (var agent in dead)
        {
            if (_options.Kinds.ContainsKey(agent.Kind))
            {
                _ = TakeOverLaterAsync(agent, down.Node);
            }
        }
    }

    /// <summary>Claims after this node's turn among the candidates (ranked by a hash of agent and node), so the first choice usually wins at once.</summary>
    private async Task TakeOverLaterAsync(OwnedAgent agent, string from)
    {
        try
        {
            var rank = RankOf(agent);
            if (rank > 0)
            {
                await Task.Delay(_options.ClaimStagger * rank, _node.TimeProvider, _stop.Token).ConfigureAwait(false);
            }
            await TakeOverAsync(agent, from, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>This node's place among the live nodes that offer the agent's kind (0 = first choice).</summary>
    private int RankOf(OwnedAgent agent)
    {
        var candidates = new List<string> { NodeId };
        lock (_gate)
        {
            foreach (var observed in _observed.Values)
            {
                var a = observed.Announcement;
                if (!a.Leaving && !_down.Contains((a.Node, a.Incarnation)) && a.Kinds.Contains(agent.Kind) && observed.Detector.HasHeartbeat && observed.Detector.IsAvailable)
                {
                    candidates.Add(a.Node);
                }
            }
        }
        candidates.Sort((x, y) => Score(agent.Agent, y).CompareTo(Score(agent.Agent, x)));
        return candidates.IndexOf(NodeId);
    }

    /// <summary>Rendezvous hashing: FNV-1a of agent and node, the same on every node and run.</summary>
    private static ulong Score(string agent, string node)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in agent + "\n" + node)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }

    /// <summary>Claims the agent from <paramref name="from"/> and, when this node won, resumes it here from the log.</summary>
    private async Task TakeOverAsync(OwnedAgent agent, string from, CancellationToken cancellationToken)
    {
        if (!_options.Kinds.TryGetValue(agent.Kind, out var factory))
        {
            return;
        }
        using var activity = MurmurDiagnostics.StartFleet("takeover", from, agent.Agent);
        try
        {
            EnsureRoomFor(agent); // before the claim: a claim this node could not hold would leave the agent to nobody
            var topic = await _node.OpenTopicAsync(agent.Topic, agent.Mode, cancellationToken).ConfigureAwait(false);
            if (await _node.ClaimAsync(topic, agent.Agent, from, cancellationToken).ConfigureAwait(false) is not { } epoch)
            {
                activity?.SetTag("murmur.claim.won", false);
                return; // another node claimed it first, or it had already moved on
            }
            var spawned = await _node.SpawnAsync(agent.Agent, () => factory(agent), topic, cancellationToken: cancellationToken).ConfigureAwait(false);
            await OwnAsync(agent, spawned, cancellationToken).ConfigureAwait(false);
            FleetLogMessages.TookOver(_logger, agent.Agent, agent.Kind, agent.Topic, from, epoch);
            AgentTakenOver?.Invoke(agent, epoch);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is EventLogException or InvalidOperationException or AgentStartException)
        {
            FleetLogMessages.TakeoverFailed(_logger, agent.Agent, agent.Topic, ex);
        }
    }
}
