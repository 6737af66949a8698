using Murmur.Events;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.Cli.Mesh;

/// <summary>What one announced task's topic holds: who joined, who completed, and whether it is done.</summary>
/// <param name="Request">The announcement.</param>
/// <param name="AnnouncedAt">When it was announced (milliseconds since the epoch), from the announcement.</param>
/// <param name="Events">How many records the task's topic holds (0 once it was deleted, or when no node joined).</param>
/// <param name="Participants">Actors that joined the topic, and their nodes (what deleting the topic deletes with it).</param>
/// <param name="Completed">Members that published TASK_COMPLETE.</param>
internal sealed record TaskStatus(TaskRequest Request, long AnnouncedAt, long Events, TopicParticipants Participants, IReadOnlySet<string> Completed)
{
    /// <summary>Actors that joined the topic.</summary>
    public IReadOnlySet<string> Members => Participants.Actors;

    /// <summary>
    /// Done as <c>murmur task start --wait</c> sees it (a coder completed), or every member that joined completed.
    /// </summary>
    public bool IsDone => IsDoneWith(Members, Completed);

    /// <summary>One word for <c>murmur task list</c>.</summary>
    public string State => StateOf(Events, Members, Completed);

    /// <summary>The rule of <see cref="State"/>, for a topic followed live (the dashboard).</summary>
    public static string StateOf(long events, IReadOnlyCollection<string> members, IReadOnlyCollection<string> completed)
        => events == 0 ? "empty" : IsDoneWith(members, completed) ? "done" : "running";

    private static bool IsDoneWith(IReadOnlyCollection<string> members, IReadOnlyCollection<string> completed)
        => completed.Any(a => a.StartsWith("Coder", StringComparison.Ordinal)) || (members.Count > 0 && members.All(m => completed.Contains(m, StringComparer.Ordinal)));
}

/// <summary>Reads the tasks announced on the control topic and the state of each one's topic, from the log alone.</summary>
internal static class TaskCatalog
{
    /// <summary>Every task announced on <see cref="TaskRequest.ControlTopic"/> (the latest announcement per id), oldest first.</summary>
    public static async Task<IReadOnlyList<TaskStatus>> ReadAsync(IEventLog log, EventLimits limits, CancellationToken cancellationToken)
    {
        var announced = new Dictionary<string, (TaskRequest Request, long At)>(StringComparer.Ordinal);
        await foreach (var entry in log.ReadAsync(TaskRequest.ControlTopic, 1, follow: false, cancellationToken))
        {
            // Anyone who can write to the log can write here: what does not decode as a task is not one.
            // TryRead refuses an announcement without a valid topic name.
            if (AgentEventCodec.TryDecode(entry.Data.Span, limits, null, out var e, out _) && TaskRequest.TryRead(e!) is { } request)
            {
                announced[request.Task] = (request, e!.Timestamp ?? 0);
            }
        }
        var tasks = new List<TaskStatus>(announced.Count);
        foreach (var (request, at) in announced.Values.OrderBy(t => t.At))
        {
            tasks.Add(await ReadTopicAsync(log, limits, request, at, cancellationToken));
        }
        return tasks;
    }

    private static async Task<TaskStatus> ReadTopicAsync(IEventLog log, EventLimits limits, TaskRequest request, long at, CancellationToken cancellationToken)
    {
        var participants = new TopicParticipants();
        var completed = new HashSet<string>(StringComparer.Ordinal);
        long events = 0;
        await foreach (var entry in log.ReadAsync(request.Topic, 1, follow: false, cancellationToken))
        {
            events++;
            if (!AgentEventCodec.TryDecode(entry.Data.Span, limits, null, out var e, out _))
            {
                continue;
            }
            participants.Observe(e!);
            if (e!.Action == Actions.TaskComplete)
            {
                completed.Add(e.Actor);
            }
        }
        return new TaskStatus(request, at, events, participants, completed);
    }
}
