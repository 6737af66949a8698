using Murmur.Events;
using Murmur.Topics;

namespace Murmur.AI.Tests.Support;

internal static class TopicWait
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Waits, event by event, until the topic's history holds an event that satisfies <paramref name="until"/>.</summary>
    public static async Task<IReadOnlyList<AgentEvent>> UntilAsync(Topic topic, Func<AgentEvent, bool> until)
    {
        using var cts = new CancellationTokenSource(Patience);
        var n = 1L;
        while (true)
        {
            await topic.WaitForDeliveredAsync(n, cts.Token);
            var trimmed = topic.Trimmed; // read first: trimming in between only makes n smaller, never skips an event
            var history = topic.History;
            if (history.Any(until))
            {
                return history;
            }
            n = trimmed + history.Count + 1;
        }
    }

    /// <summary>Waits, event by event, until <paramref name="until"/> holds for one snapshot of the topic's history, and returns that snapshot.</summary>
    public static async Task<IReadOnlyList<AgentEvent>> UntilHistoryAsync(Topic topic, Func<IReadOnlyList<AgentEvent>, bool> until)
    {
        using var cts = new CancellationTokenSource(Patience);
        var n = 1L;
        while (true)
        {
            await topic.WaitForDeliveredAsync(n, cts.Token);
            var trimmed = topic.Trimmed; // read first: trimming in between only makes n smaller, never skips an event
            var history = topic.History;
            if (until(history))
            {
                return history;
            }
            n = trimmed + history.Count + 1;
        }
    }
}
