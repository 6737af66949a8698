using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Murmur.Logs;

namespace Murmur.Fleet;

/// <summary>
/// A part of the list of agents a node owns, as the membership store holds it under a key of its own
/// (<see cref="KeyOf"/>): a spawn or a stop rewrites one chunk of a few kilobytes, not the whole list, so a node that
/// spawns N agents one by one writes O(N) bytes instead of O(N²), and the number of agents a node can own is not
/// capped by the log's record limit. The node's announcement says how many chunks its incarnation uses
/// (<see cref="NodeAnnouncement.Chunks"/>); a chunk of another incarnation under the same key is not its.
/// </summary>
/// <param name="Node">The node.</param>
/// <param name="Incarnation">Which run of it.</param>
/// <param name="Chunk">Which chunk (0, 1, …).</param>
/// <param name="Agents">The agents of this chunk.</param>
internal sealed record AgentChunk(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("incarnation")] long Incarnation,
    [property: JsonPropertyName("chunk")] int Chunk,
    [property: JsonPropertyName("agents")] IReadOnlyList<OwnedAgent> Agents)
{
    /// <summary>What separates a node's id from the number of one of its chunks in a store key.</summary>
    public const string KeyInfix = "=agents.";

    /// <summary>The most chunks an announcement may name (a hostile one must not make a reader loop for ever).</summary>
    public const int MaxChunks = 65_536;

    /// <summary>The store key of chunk <paramref name="chunk"/> of <paramref name="node"/>'s agents.</summary>
    public static string KeyOf(string node, int chunk) => node + KeyInfix + chunk.ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether a store key is a chunk key; if so, whose and which.</summary>
    public static bool TryParseKey(string key, out string node, out int chunk)
    {
        node = string.Empty;
        chunk = -1;
        var at = key.LastIndexOf(KeyInfix, StringComparison.Ordinal);
        if (at <= 0 || !int.TryParse(key.AsSpan(at + KeyInfix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out chunk) || chunk >= MaxChunks)
        {
            chunk = -1;
            return false;
        }
        node = key[..at];
        return string.Equals(KeyOf(node, chunk), key, StringComparison.Ordinal); // one spelling per chunk: no "007"
    }

    /// <summary>Encodes the chunk as UTF-8 JSON.</summary>
    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this, FleetJson.Default.AgentChunk);

    /// <summary>Decodes and checks a chunk read from a store (untrusted input), or explains why it is refused.</summary>
    public static AgentChunk? TryDecode(MembershipRecord record, out string? problem)
        => FleetRecord.Decode(record, FleetJson.Default.AgentChunk, "a chunk of agents", chunk => chunk switch
        {
            { Node: null or "" } => "it names no node",
            _ when !string.Equals(KeyOf(chunk.Node, chunk.Chunk), record.Node, StringComparison.Ordinal)
                => $"it is chunk {chunk.Chunk} of node '{chunk.Node}' but is stored under '{record.Node}'",
            { Agents: null } => "it lacks 'agents'",
            _ when !AreValid(chunk.Agents) => "an owned agent lacks its id or kind, or names an invalid topic",
            _ => null,
        }, out problem);

    /// <summary>
    /// Every agent an announcement stands for: those it lists itself (an announcement of a version before chunks), then
    /// those of the chunks it counts that belong to its incarnation (<paramref name="chunkAt"/>: the chunk read under a
    /// key, or null). A chunk not read, or of another incarnation, adds nothing.
    /// </summary>
    internal static IReadOnlyList<OwnedAgent> AgentsOf(NodeAnnouncement announcement, Func<int, AgentChunk?> chunkAt)
    {
        if (announcement.Chunks == 0)
        {
            return announcement.Agents;
        }
        var agents = new List<OwnedAgent>(announcement.Agents);
        for (var k = 0; k < announcement.Chunks; k++)
        {
            if (chunkAt(k) is { } chunk && chunk.Incarnation == announcement.Incarnation)
            {
                agents.AddRange(chunk.Agents);
            }
        }
        return agents;
    }

    /// <summary>
    /// What the store's records say of <paramref name="node"/>: its announcement with every agent it stands for, or
    /// null when the records hold no valid announcement of it.
    /// </summary>
    internal static NodeAnnouncement? Read(IEnumerable<MembershipRecord> records, string node)
    {
        NodeAnnouncement? announcement = null;
        var chunks = new Dictionary<int, AgentChunk>();
        foreach (var record in records)
        {
            if (TryParseKey(record.Node, out var of, out var k))
            {
                if (string.Equals(of, node, StringComparison.Ordinal) && TryDecode(record, out _) is { } chunk)
                {
                    chunks[k] = chunk;
                }
            }
            else if (string.Equals(record.Node, node, StringComparison.Ordinal))
            {
                announcement = NodeAnnouncement.TryDecode(record, out _);
            }
        }
        return announcement is null ? null : announcement with { Agents = AgentsOf(announcement, k => chunks.GetValueOrDefault(k)) };
    }

    /// <summary>Whether every listed agent has an id and a kind and names a valid topic.</summary>
    internal static bool AreValid(IReadOnlyList<OwnedAgent> agents)
        => !agents.Any(a => a is null || string.IsNullOrEmpty(a.Agent) || string.IsNullOrEmpty(a.Kind) || TopicName.Check(a.Topic ?? string.Empty) is not null);
}
