using System.Text.Json;
using Microsoft.Extensions.AI;
using Murmur.Events;
using Murmur.Topics;

namespace Murmur.AI.Tools.Mesh;

/// <summary>Builds and reads the payloads of <see cref="ToolMeshActions"/> and the inbox's TOOL_CALL/TOOL_RESULT.</summary>
internal static class MeshWire
{
    public static byte[] Announce(string node, bool up, IEnumerable<AIFunction> tools, IEnumerable<string> kinds) => JsonObjects.Build(w =>
    {
        w.WriteString("node", node);
        w.WriteString("status", up ? "up" : "left");
        w.WriteStartArray("tools");
        foreach (var tool in up ? tools : [])
        {
            w.WriteStartObject();
            w.WriteString("name", tool.Name);
            w.WriteString("description", tool.Description);
            w.WritePropertyName("schema");
            tool.JsonSchema.WriteTo(w);
            w.WriteBoolean("side_effecting", ToolRegistry.IsSideEffecting(tool));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("agent_kinds");
        foreach (var kind in up ? kinds : [])
        {
            w.WriteStringValue(kind);
        }
        w.WriteEndArray();
    });

    /// <summary>Reads an announcement; null when it is malformed or not made by the node's own mesh agent.</summary>
    public static ToolMeshNode? ReadAnnouncement(AgentEvent e)
    {
        try
        {
            var root = e.GetPayload();
            if (root.ValueKind != JsonValueKind.Object || Str(root, "node") is not { } node
                || !string.Equals(e.Actor, ToolMesh.MeshActorOf(node), StringComparison.Ordinal))
            {
                return null;
            }
            if (!string.Equals(Str(root, "status"), "up", StringComparison.Ordinal))
            {
                return new ToolMeshNode(node, [], []);
            }
            var tools = new List<HostedTool>();
            if (root.TryGetProperty("tools", out var array) && array.ValueKind == JsonValueKind.Array)
            {
                foreach (var t in array.EnumerateArray())
                {
                    if (t.ValueKind == JsonValueKind.Object && Str(t, "name") is { Length: > 0 } name)
                    {
                        var schema = t.TryGetProperty("schema", out var s) && s.ValueKind == JsonValueKind.Object ? s.Clone() : EmptySchema;
                        var sideEffecting = t.TryGetProperty("side_effecting", out var se) && se.ValueKind == JsonValueKind.True;
                        tools.Add(new HostedTool(name, Str(t, "description") ?? "", schema, sideEffecting, node));
                    }
                }
            }
            var kinds = new List<string>();
            if (root.TryGetProperty("agent_kinds", out var k) && k.ValueKind == JsonValueKind.Array)
            {
                kinds.AddRange(k.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!));
            }
            return new ToolMeshNode(node, [.. tools.OrderBy(t => t.Name, StringComparer.Ordinal)], [.. kinds.Order(StringComparer.Ordinal)]);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static byte[] Call(string callId, string tool, IDictionary<string, object?> args, string to, string caller, string? topic, long deadlineMs) => JsonObjects.Build(w =>
    {
        w.WriteString("call_id", callId);
        w.WriteString("tool", tool);
        w.WritePropertyName("args");
        JsonSerializer.Serialize(w, new Dictionary<string, object?>(args, StringComparer.Ordinal), AIJsonUtilities.DefaultOptions);
        w.WriteString("to", to);
        w.WriteString("caller", caller);
        if (topic is not null)
        {
            w.WriteString("topic", topic);
        }
        w.WriteNumber("deadline_ms", deadlineMs);
    });

    public static byte[] Started(string callId, string tool) => JsonObjects.Build(w =>
    {
        w.WriteString("call_id", callId);
        w.WriteString("tool", tool);
    });

    public static byte[] Result(string callId, string tool, RemoteReply reply, string host) => JsonObjects.Build(w =>
    {
        w.WriteString("call_id", callId);
        w.WriteString("tool", tool);
        w.WriteBoolean("ok", reply.Ok);
        if (reply.Ok)
        {
            w.WritePropertyName("result");
            reply.Result.WriteTo(w);
        }
        else
        {
            w.WriteString("error", reply.Error);
            w.WriteBoolean("is_error", true);
        }
        w.WriteNumber("elapsed_us", (long)(reply.HostElapsed ?? TimeSpan.Zero).TotalMicroseconds);
        w.WriteString("host", host);
    });

    public static byte[] Spawn(string callId, string id, string kind, string topic, Consistency consistency) => JsonObjects.Build(w =>
    {
        w.WriteString("call_id", callId);
        w.WriteString("id", id);
        w.WriteString("kind", kind);
        w.WriteString("topic", topic);
        w.WriteString("consistency", consistency == Consistency.Strict ? "strict" : "eventual");
    });

    public static byte[] SpawnedPayload(string callId, string id, string? error, string host) => JsonObjects.Build(w =>
    {
        w.WriteString("call_id", callId);
        w.WriteBoolean("ok", error is null);
        if (error is null)
        {
            w.WriteString("agent", id);
        }
        else
        {
            w.WriteString("error", error);
            w.WriteBoolean("is_error", true);
        }
        w.WriteString("host", host);
    });

    /// <summary>The payload object of an inbox event, or default when it is not a JSON object with a string <c>call_id</c>.</summary>
    public static bool TryRead(AgentEvent e, out JsonElement root, out string callId)
    {
        callId = "";
        root = default;
        try
        {
            root = e.GetPayload();
        }
        catch (JsonException)
        {
            return false;
        }
        if (root.ValueKind != JsonValueKind.Object || Str(root, "call_id") is not { Length: > 0 } id)
        {
            return false;
        }
        callId = id;
        return true;
    }

    /// <summary>Reads a TOOL_RESULT or SPAWNED payload as a reply.</summary>
    public static RemoteReply ReadReply(JsonElement root, TimeSpan roundTrip)
    {
        var ok = root.TryGetProperty("ok", out var o) && o.ValueKind == JsonValueKind.True;
        var result = ok && root.TryGetProperty("result", out var r) ? r.Clone()
            : ok && root.TryGetProperty("agent", out var a) ? a.Clone() : default;
        var error = ok ? null : Str(root, "error") ?? "the host answered without an error message";
        TimeSpan? hostElapsed = root.TryGetProperty("elapsed_us", out var us) && us.TryGetInt64(out var v) ? TimeSpan.FromMicroseconds(v) : null;
        return new RemoteReply(ok, result, error, Str(root, "host"), roundTrip, hostElapsed);
    }

    public static string? Str(JsonElement obj, string name)
        => obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static readonly JsonElement EmptySchema = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();
}
