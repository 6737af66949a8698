namespace Murmur.Mcp.Tests.Support;

internal static class TopicWait
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Waits, event by event, until the topic's history holds an event that satisfies <paramref name="until"/>.</summary>
    public static async Task<IReadOnlyList<AgentEvent>> UntilAsync(Topic topic, Func<AgentEvent, bool> until)
    {
        using var cts = new CancellationTokenSource(Patience);
        var n = 1L;
        while (true)
        {
            await topic.WaitForDeliveredAsync(n, cts.Token);
            var history = topic.History;
            if (history.Any(until))
            {
                return history;
            }
            n = history.Count + 1;
        }
    }
}
