using System.Text.Json;
using System.Text.Json.Serialization;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.Cli.Mesh;

/// <summary>A task as <c>murmur task start</c> announces it on the <see cref="ControlTopic"/>; nodes that host agents join it.</summary>
internal sealed record TaskRequest(
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("goal")] string Goal,
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("topic")] string Topic,
    [property: JsonPropertyName("researchers")] int Researchers,
    [property: JsonPropertyName("members")] int Members)
{
    /// <summary>The topic every node follows for new tasks.</summary>
    public const string ControlTopic = "murmur-tasks";

    /// <summary>The action of a task announcement.</summary>
    public const string Action = "TASK";

    public Consistency Consistency => Mode == "strict" ? Consistency.Strict : Consistency.Eventual;

    public AgentEvent ToEvent(string eventId, long timestamp)
        => new(eventId, "murmur-cli", Action, JsonSerializer.SerializeToUtf8Bytes(this), VectorClock.Empty) { Topic = ControlTopic, Timestamp = timestamp };

    public static TaskRequest? TryRead(AgentEvent e)
    {
        if (e.Action != Action)
        {
            return null;
        }
        try
        {
            var request = JsonSerializer.Deserialize<TaskRequest>(e.Payload.Span);
            return request is not null && TopicName.Check(request.Topic) is null ? request : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
