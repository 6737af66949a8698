using System.Text.Json;
using Microsoft.Agents.AI;
using Murmur.Logs;

namespace Murmur.AgentFramework;

/// <summary>A <see cref="MurmurTopicAgent"/> session: the topic its runs happen in. Its history is the topic itself.</summary>
public sealed class MurmurTopicSession : AgentSession
{
    internal MurmurTopicSession(string topic, bool started)
    {
        Topic = topic;
        Started = started;
    }

    /// <summary>The Murmur topic of this conversation.</summary>
    public string Topic { get; }

    /// <summary>True once the task was started on the mesh (<see cref="MurmurTopicAgentOptions.StartTask"/> ran).</summary>
    public bool Started { get; internal set; }

    internal JsonElement Serialize() => JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["topic"] = Topic, ["started"] = Started });

    internal static MurmurTopicSession Deserialize(JsonElement state)
    {
        if (state.ValueKind != JsonValueKind.Object || !state.TryGetProperty("topic", out var topic) || topic.ValueKind != JsonValueKind.String
            || TopicName.Check(topic.GetString()!) is not null)
        {
            throw new JsonException("a MurmurTopicAgent session is {\"topic\": NAME, \"started\": true|false} with a valid topic name");
        }
        var started = state.TryGetProperty("started", out var s) && s.ValueKind == JsonValueKind.True;
        return new MurmurTopicSession(topic.GetString()!, started);
    }
}
