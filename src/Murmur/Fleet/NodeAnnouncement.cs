using System.Text.Json;
using System.Text.Json.Serialization;
using Murmur.Topics;

namespace Murmur.Fleet;

/// <summary>
/// What a node announces in the membership store when it starts, when what it owns changes, and when it leaves (the
/// store keeps the last one); its heartbeats go under a key of their own, so a beat does not carry the agent list.
/// </summary>
/// <param name="Node">The node's id.</param>
/// <param name="Incarnation">Which run of the node: larger for a later start under the same id (its start time, in ms).</param>
/// <param name="StartedAt">When this incarnation started, ms since the Unix epoch.</param>
/// <param name="Kinds">The agent kinds it can run (and so take over).</param>
/// <param name="Tools">The tools it serves.</param>
/// <param name="Agents">
/// The agents it owns now (spawned through the fleet and still alive). In the store they are kept in chunks under keys of
/// their own (<see cref="Chunks"/>) and this list is empty; <see cref="MurmurFleet.Members"/> lists them all.
/// </param>
/// <param name="Beat">The heartbeat counter when the announcement was made (0 at start; the beats carry the current one).</param>
/// <param name="Leaving">True in the last announcement of a node that stops on purpose: nobody takes over what it had.</param>
public sealed record NodeAnnouncement(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("incarnation")] long Incarnation,
    [property: JsonPropertyName("started_at")] long StartedAt,
    [property: JsonPropertyName("kinds")] IReadOnlyList<string> Kinds,
    [property: JsonPropertyName("tools")] IReadOnlyList<string> Tools,
    [property: JsonPropertyName("agents")] IReadOnlyList<OwnedAgent> Agents,
    [property: JsonPropertyName("beat")] long Beat,
    [property: JsonPropertyName("leaving")] bool Leaving = false)
{
    /// <summary>
    /// How many chunks of its agent list the node keeps in the store beside the announcement, each under
    /// <c>{node}=agents.{k}</c> (k from 0): a spawn rewrites one chunk of a few kilobytes rather than the whole list.
    /// </summary>
    [JsonPropertyName("chunks")]
    public int Chunks { get; init; }

    /// <summary>Encodes the announcement as UTF-8 JSON.</summary>
    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this, FleetJson.Default.NodeAnnouncement);

    /// <summary>Decodes and checks an announcement read from a store, or explains why it is refused (it is untrusted input).</summary>
    public static NodeAnnouncement? TryDecode(MembershipRecord record, out string? problem)
        => FleetRecord.Decode(record, FleetJson.Default.NodeAnnouncement, "an announcement", announcement => announcement switch
        {
            { Node: null or "" } => "it names no node",
            _ when !string.Equals(announcement.Node, record.Node, StringComparison.Ordinal) => $"it names node '{announcement.Node}' but is stored under '{record.Node}'",
            { Kinds: null } or { Tools: null } or { Agents: null } => "it lacks 'kinds', 'tools' or 'agents'",
            { Chunks: < 0 or > AgentChunk.MaxChunks } => $"its 'chunks' is not from 0 to {AgentChunk.MaxChunks}",
            _ when !AgentChunk.AreValid(announcement.Agents) => "an owned agent lacks its id or kind, or names an invalid topic",
            _ => null,
        }, out problem);
}

/// <summary>An agent a node owns, as its announcement lists it: enough for another node to take it over.</summary>
/// <param name="Agent">The agent's id.</param>
/// <param name="Kind">Its kind: a node that offers this kind can run it.</param>
/// <param name="Topic">The topic it is a member of.</param>
/// <param name="Consistency">The topic's mode: <c>eventual</c> or <c>strict</c>.</param>
/// <param name="Spec">What the kind's factory needs to make it again (free-form, e.g. the task's settings), or null.</param>
public sealed record OwnedAgent(
    [property: JsonPropertyName("agent")] string Agent,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("topic")] string Topic,
    [property: JsonPropertyName("consistency")] string Consistency,
    [property: JsonPropertyName("spec")] string? Spec = null)
{
    /// <summary>The topic's mode.</summary>
    [JsonIgnore]
    public Consistency Mode => Consistency == "strict" ? Murmur.Topics.Consistency.Strict : Murmur.Topics.Consistency.Eventual;
}

/// <summary>
/// The payload of a <c>NODE_DOWN</c> in the fleet topic. The first valid declaration of a node's incarnation in the log
/// decides; one by a declarer that an earlier record declared down is void (a paused node must not take live ones down).
/// </summary>
/// <param name="Node">The node declared down.</param>
/// <param name="Incarnation">Which run of it (a restarted node is a new incarnation and is not down).</param>
/// <param name="By">The node that declared it.</param>
/// <param name="Phi">φ when it was declared.</param>
public sealed record NodeDownPayload(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("incarnation")] long Incarnation,
    [property: JsonPropertyName("by")] string By,
    [property: JsonPropertyName("phi")] double Phi)
{
    /// <summary>The declarer's incarnation (0 when unknown).</summary>
    [JsonPropertyName("by_incarnation")]
    public long ByIncarnation { get; init; }

    /// <summary>
    /// The derived event id: one record per declarer, however often it declares. Not one per node and incarnation: a
    /// void declaration (by a declarer already down) must not take the id a valid one needs.
    /// </summary>
    public static string EventIdFor(string node, long incarnation, string by) => $"node-down-{node}-{incarnation}-by-{by}";
}

[JsonSerializable(typeof(NodeAnnouncement))]
[JsonSerializable(typeof(NodeDownPayload))]
[JsonSerializable(typeof(OwnedAgent))]
[JsonSerializable(typeof(NodeBeat))]
[JsonSerializable(typeof(AgentChunk))]
internal sealed partial class FleetJson : JsonSerializerContext;
