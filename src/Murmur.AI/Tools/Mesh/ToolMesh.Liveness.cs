using System.Collections.Concurrent;

namespace Murmur.AI.Tools.Mesh;

// Liveness as this node sees it: a node that let a request time out is suspected until it is heard from again.
public sealed partial class ToolMesh
{
    // Suspected node → the directory's delivered count when it was suspected; an announcement after that clears it.
    private readonly ConcurrentDictionary<string, long> _suspected = new(StringComparer.Ordinal);

    /// <summary>
    /// The nodes this node suspects, ordered by id: each let a request (a tool call or a spawn) from this node go
    /// unanswered until its timeout, and has not been heard from since — no answer to a later request, no new
    /// announcement (a restarted node announces itself when it joins). A node that crashed without saying it left
    /// stays in <see cref="Nodes"/>; suspicion is what keeps calls and placement away from it.
    /// </summary>
    /// <remarks>
    /// A suspected node is not dropped: a tool that only it serves is still called there (the first answer clears the
    /// suspicion), but when another node serves the tool too, calls go there (<see cref="TryFindRemote"/>), and
    /// <see cref="Place"/> prefers nodes that are not suspected.
    /// </remarks>
    public IReadOnlyList<string> Suspected
    {
        get
        {
            _ = Nodes; // clears suspicions that newer announcements answered
            return [.. _suspected.Keys.Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>True when this node suspects <paramref name="nodeId"/> (see <see cref="Suspected"/>).</summary>
    public bool IsSuspected(string nodeId)
    {
        _ = Nodes;
        return _suspected.ContainsKey(nodeId);
    }

    private void Suspect(string nodeId) => _suspected[nodeId] = _directory.DeliveredCount;

    private void HeardFrom(string nodeId) => _suspected.TryRemove(nodeId, out _);

    /// <summary>Under <see cref="Nodes"/>: a node that announced itself after it was suspected is heard from.</summary>
    private void ClearAnsweredSuspicions(Dictionary<string, long> announcedAt)
    {
        foreach (var (node, since) in _suspected)
        {
            if (announcedAt.TryGetValue(node, out var at) && at >= since)
            {
                _suspected.TryRemove(new KeyValuePair<string, long>(node, since));
            }
        }
    }
}
