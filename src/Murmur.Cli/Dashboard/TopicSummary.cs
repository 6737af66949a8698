namespace Murmur.Cli.Dashboard;

/// <summary>One row of the dashboard's topics table.</summary>
/// <param name="Name">The topic.</param>
/// <param name="Task">The announced task's id, or null for a topic named with <c>--topic</c>.</param>
/// <param name="Goal">The announced task's goal, or null.</param>
/// <param name="Mode">eventual or strict.</param>
/// <param name="Members">The members in roster order.</param>
/// <param name="Events">How many events the dashboard's node delivered.</param>
/// <param name="Completed">Members that published TASK_COMPLETE, in the order they did.</param>
/// <param name="Round">In strict topics, the open round (0 for the first); null in eventual ones.</param>
/// <param name="State">empty, running or done, as <c>murmur task list</c> says.</param>
/// <param name="Problem">Why the dashboard stopped following the topic, or null.</param>
internal sealed record TopicSummary(
    string Name,
    string? Task,
    string? Goal,
    string Mode,
    IReadOnlyList<string> Members,
    long Events,
    IReadOnlyList<string> Completed,
    int? Round,
    string State,
    string? Problem);
