using System.Text.Json;
using System.Text.Json.Serialization;

namespace Murmur.Fleet;

/// <summary>
/// A heartbeat as the membership store holds it, under a key of its own beside the node's announcement
/// (<see cref="KeyOf"/>): a few bytes, whatever the node owns, so a node with thousands of agents beats as cheaply as
/// an idle one. The announcement, which lists the agents, is published only when it changes.
/// </summary>
/// <param name="Node">The node.</param>
/// <param name="Incarnation">Which run of it.</param>
/// <param name="Beat">The heartbeat counter.</param>
internal sealed record NodeBeat(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("incarnation")] long Incarnation,
    [property: JsonPropertyName("beat")] long Beat)
{
    /// <summary>What a beat key ends with. A node id cannot end with it (<see cref="MurmurFleet"/> refuses one that does).</summary>
    public const string KeySuffix = "=beat";

    /// <summary>The store key of <paramref name="node"/>'s beats.</summary>
    public static string KeyOf(string node) => node + KeySuffix;

    /// <summary>Whether a store key is a beat key.</summary>
    public static bool IsBeatKey(string key) => key.EndsWith(KeySuffix, StringComparison.Ordinal);

    /// <summary>Encodes the beat as UTF-8 JSON.</summary>
    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this, FleetJson.Default.NodeBeat);

    /// <summary>Decodes and checks a beat read from a store (untrusted input), or explains why it is refused.</summary>
    public static NodeBeat? TryDecode(MembershipRecord record, out string? problem)
        => FleetRecord.Decode(record, FleetJson.Default.NodeBeat, "a heartbeat", beat => beat switch
        {
            { Node: null or "" } => "it names no node",
            _ when !string.Equals(KeyOf(beat.Node), record.Node, StringComparison.Ordinal) => $"it names node '{beat.Node}' but is stored under '{record.Node}'",
            _ => null,
        }, out problem);
}
