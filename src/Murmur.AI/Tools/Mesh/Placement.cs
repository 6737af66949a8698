namespace Murmur.AI.Tools.Mesh;

/// <summary>Where <see cref="ToolMesh.Place"/> puts an agent, and why.</summary>
/// <param name="Node">The chosen node.</param>
/// <param name="IsLocal">True when the chosen node is the one that asked.</param>
/// <param name="Hosted">The needed tools the chosen node serves itself (they will run in-process).</param>
/// <param name="Remote">The needed tools the chosen node lacks but another node serves (they will be called through the log).</param>
/// <param name="Unavailable">The needed tools no node serves.</param>
/// <param name="Report">One line for people: the choice and what it costs.</param>
public sealed record Placement(string Node, bool IsLocal, IReadOnlyList<string> Hosted, IReadOnlyList<string> Remote, IReadOnlyList<string> Unavailable, string Report)
{
    /// <summary>True when every needed tool runs in-process on the chosen node.</summary>
    public bool IsComplete => Remote.Count == 0 && Unavailable.Count == 0;
}
