using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Security;

namespace Murmur.Topics;

/// <summary>
/// Agent snapshots and node checkpoints, kept in small topics of their own so the latest is one read away:
/// <c>murmur.snapshots.{topic}.{actor}</c> holds an agent's <c>SNAPSHOT</c>s in a topic and
/// <c>murmur.checkpoints.{topic}.{node}</c> the <c>CHECKPOINT</c>s a node wrote with them (names that would break the
/// rules of <see cref="TopicName"/> are replaced by a hash). Both carry a clock and a log position of the task's topic:
/// every event at or before that position is in the clock, so reading on from there finds everything after it.
/// </summary>
/// <remarks>
/// What is read back is untrusted: it is decoded against the node's limits and, when the node verifies signatures,
/// a snapshot must be signed by the node that owns the agent and a checkpoint by this very node; anything else is
/// ignored (the reader then starts from the topic's beginning) and reported as a dead letter.
/// </remarks>
internal static class Snapshots
{
    private static readonly JsonSerializerOptions StateJson = new(JsonSerializerDefaults.Web);

    /// <summary>The topic that holds <paramref name="actor"/>'s snapshots in <paramref name="topic"/>.</summary>
    public static string SnapshotTopic(string topic, string actor) => SideTopic("murmur.snapshots", topic, actor);

    /// <summary>The topic that holds <paramref name="node"/>'s checkpoints of <paramref name="topic"/>.</summary>
    public static string CheckpointTopic(string topic, string node) => SideTopic("murmur.checkpoints", topic, node);

    private static string SideTopic(string kind, string topic, string owner)
    {
        var plain = $"{kind}.{topic}.{owner}";
        if (TopicName.Check(plain) is null)
        {
            return plain;
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(topic + "\n" + owner)))[..32];
        return $"{kind}.{hash}";
    }

    /// <summary>Serializes an agent's state (JSON, web defaults).</summary>
    public static byte[] Serialize(object state)
        => state is JsonElement element ? JsonSerializer.SerializeToUtf8Bytes(element) : JsonSerializer.SerializeToUtf8Bytes(state, state.GetType(), StateJson);

    /// <summary>Appends a snapshot of <paramref name="actor"/> and this node's checkpoint of the topic at the same point.</summary>
    public static async Task SaveAsync(TopicHost host, string actor, VectorClock clock, long position, byte[] state, CancellationToken cancellationToken)
    {
        var node = host.Node;
        var snapshot = Record(host, SnapshotTopic(host.Name, actor), actor, Actions.Snapshot, writer =>
        {
            WriteCommon(writer, host.Name, clock, position);
            writer.WritePropertyName("state");
            writer.WriteRawValue(state, skipInputValidation: false);
        });
        await node.Log.AppendAsync(SnapshotTopic(host.Name, actor), snapshot, cancellationToken).ConfigureAwait(false);
        var members = host.MembersWithOwners();
        var checkpoint = Record(host, CheckpointTopic(host.Name, node.NodeId), node.NodeId, Actions.Checkpoint, writer =>
        {
            WriteCommon(writer, host.Name, clock, position);
            writer.WriteStartArray("members");
            foreach (var (member, owner) in members)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(member);
                if (owner is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    writer.WriteStringValue(owner);
                }
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        });
        await node.Log.AppendAsync(CheckpointTopic(host.Name, node.NodeId), checkpoint, cancellationToken).ConfigureAwait(false);
    }

    private static void WriteCommon(Utf8JsonWriter writer, string topic, VectorClock clock, long position)
    {
        writer.WriteString("topic", topic);
        writer.WriteStartArray("clock");
        foreach (var entry in clock.Entries)
        {
            writer.WriteNumberValue(entry);
        }
        writer.WriteEndArray();
        writer.WriteNumber("position", position);
    }

    private static LogRecord Record(TopicHost host, string sideTopic, string actor, string action, Action<Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        var @event = new AgentEvent(host.Node.NewEventId(), actor, action, buffer.WrittenMemory.ToArray(), VectorClock.Empty)
        {
            Topic = sideTopic,
            Timestamp = host.Node.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        return host.Appender.Prepare(@event).Record;
    }

    /// <summary>The latest snapshot of <paramref name="actor"/> in the topic, or null when there is none (or it cannot be trusted).</summary>
    public static async Task<Snapshot?> LoadAsync(TopicHost host, string actor, CancellationToken cancellationToken)
    {
        var side = SnapshotTopic(host.Name, actor);
        if (await ReadLastAsync(host, side, Actions.Snapshot, actor, cancellationToken).ConfigureAwait(false) is not { } e)
        {
            return null;
        }
        var owner = host.Reader.Screen.OwnerOf(actor);
        if (host.Node.Verifier is { } && owner is not null && !SignedBy(host, e, owner))
        {
            host.Refuse(0, e.EventId, $"snapshot of '{actor}' is not signed by its owner '{owner}'; ignored", e.ToString());
            return null;
        }
        try
        {
            var root = e.GetPayload();
            var (clock, position) = ReadCommon(root, host.Name);
            return root.TryGetProperty("state", out var state) ? new Snapshot(clock, position, state.Clone()) : null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            host.Refuse(0, e.EventId, $"snapshot of '{actor}' is malformed ({ex.Message}); ignored", e.ToString());
            return null;
        }
    }

    /// <summary>This node's latest checkpoint of the topic, or null.</summary>
    public static async Task<Checkpoint?> LoadCheckpointAsync(TopicHost host, CancellationToken cancellationToken)
    {
        var node = host.Node;
        var side = CheckpointTopic(host.Name, node.NodeId);
        if (await ReadLastAsync(host, side, Actions.Checkpoint, node.NodeId, cancellationToken).ConfigureAwait(false) is not { } e)
        {
            return null;
        }
        if (node.Verifier is { } && !SignedBy(host, e, node.NodeId))
        {
            host.Refuse(0, e.EventId, $"checkpoint of topic '{host.Name}' is not signed by this node; ignored", e.ToString());
            return null;
        }
        try
        {
            var root = e.GetPayload();
            var (clock, position) = ReadCommon(root, host.Name);
            var members = new List<(string Actor, string? Node)>();
            foreach (var pair in root.GetProperty("members").EnumerateArray())
            {
                members.Add((pair[0].GetString() ?? throw new FormatException("a member without a name"), pair[1].ValueKind == JsonValueKind.String ? pair[1].GetString() : null));
            }
            if (members.Count < clock.Length)
            {
                throw new FormatException($"the clock has {clock.Length} entries but only {members.Count} members are listed");
            }
            return new Checkpoint(clock, position, members);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or IndexOutOfRangeException or ArgumentException)
        {
            host.Refuse(0, e.EventId, $"checkpoint of topic '{host.Name}' is malformed ({ex.Message}); ignored", e.ToString());
            return null;
        }
    }

    private static (VectorClock Clock, long Position) ReadCommon(JsonElement root, string topic)
    {
        if (root.GetProperty("topic").GetString() != topic)
        {
            throw new FormatException($"it names another topic than '{topic}'");
        }
        var entries = root.GetProperty("clock").EnumerateArray().Select(x => x.GetUInt64()).ToArray();
        var position = root.GetProperty("position").GetInt64();
        if (position < 1)
        {
            throw new FormatException($"position {position} is not a log position");
        }
        return (VectorClock.FromEntries(entries), position);
    }

    private static bool SignedBy(TopicHost host, AgentEvent e, string node)
        => host.Node.Verifier!.TryVerify(e, out var keyId, out _) && keyId is not null && EventSigning.NodeOf(keyId) == node;

    private static async Task<AgentEvent?> ReadLastAsync(TopicHost host, string side, string action, string actor, CancellationToken cancellationToken)
    {
        var log = host.Node.Log;
        var end = await log.GetEndPositionAsync(side, cancellationToken).ConfigureAwait(false);
        if (end == 0)
        {
            return null;
        }
        await foreach (var entry in log.ReadAsync(side, end, follow: false, cancellationToken).ConfigureAwait(false))
        {
            if (!AgentEventCodec.TryDecode(entry.Data.Span, host.Node.Options.EventLimits, null, out var e, out var error))
            {
                host.Refuse(entry.Position, entry.EventId, $"{side}: {error}", DeadLetterStore.ExcerptOf(entry.Data.Span));
                return null;
            }
            if (e!.Action != action || e.Actor != actor || e.Topic != side)
            {
                host.Refuse(entry.Position, e.EventId, $"{side}: expected a {action} of '{actor}', got {e.Action} of '{e.Actor}'", e.ToString());
                return null;
            }
            return e;
        }
        return null;
    }
}

/// <summary>An agent's saved state in a topic: everything at or before <paramref name="Clock"/> is in it; read the log on from <paramref name="Position"/>.</summary>
internal sealed record Snapshot(VectorClock Clock, long Position, JsonElement State);

/// <summary>A node's checkpoint of a topic: the roster (with owners) and the clock at <paramref name="Position"/>.</summary>
internal sealed record Checkpoint(VectorClock Clock, long Position, IReadOnlyList<(string Actor, string? Node)> Members);
