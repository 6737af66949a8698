using Murmur.AI.Events;
using Murmur.Agents;
using Murmur.Events;
using Murmur.Topics;
namespace Murmur.Benchmarks.Scale;

/// <summary>Counters the scale benches' agents share (one bench runs at a time).</summary>
internal static class ScaleCounters
{
    private static long _handed;
    private static long _published;
    private static long _budget;
    private static string? _watchFor;
    private static int _seen;

    /// <summary>True once an agent was handed the event <see cref="WatchFor(string)"/> named.</summary>
    public static bool Seen => Volatile.Read(ref _seen) != 0;

    /// <summary>Makes <see cref="Seen"/> turn true when an agent is handed the event <paramref name="eventId"/>.</summary>
    public static void WatchFor(string eventId)
    {
        Volatile.Write(ref _seen, 0);
        Volatile.Write(ref _watchFor, eventId);
    }

    public static void Look(IReadOnlyList<AgentEvent> events)
    {
        if (Volatile.Read(ref _watchFor) is { } id && events.Any(e => e.EventId == id))
        {
            Volatile.Write(ref _seen, 1);
        }
    }

    /// <summary>Events handed to agents by <see cref="Agent.OnEventsAsync"/>, over all agents.</summary>
    public static long Handed => Interlocked.Read(ref _handed);

    /// <summary>Events published by chatter agents.</summary>
    public static long Published => Interlocked.Read(ref _published);

    public static void Reset(long budget = 0)
    {
        Interlocked.Exchange(ref _handed, 0);
        Interlocked.Exchange(ref _published, 0);
        Interlocked.Exchange(ref _budget, budget);
    }

    public static void AddHanded(int count) => Interlocked.Add(ref _handed, count);

    /// <summary>Lets chatter agents publish up to <paramref name="total"/> events in all.</summary>
    public static void SetBudget(long total) => Interlocked.Exchange(ref _budget, total);

    /// <summary>Takes one unit of the publish budget; false when it is spent.</summary>
    public static bool TryTake()
    {
        if (Interlocked.Increment(ref _published) <= Interlocked.Read(ref _budget))
        {
            return true;
        }
        Interlocked.Decrement(ref _published);
        return false;
    }
}

/// <summary>A working agent: publishes one small FINDING on its first view and counts what it is handed.</summary>
internal sealed class OnceAgent : Agent
{
    private bool _published;

    protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        ScaleCounters.AddHanded(view.New.Count);
        if (!_published && !view.IsReplay)
        {
            _published = true;
            await view.PublishAsync(AiActions.Finding, new { text = "found it" }, cancellationToken: cancellationToken);
        }
    }
}

/// <summary>
/// Continuous exchange: answers every view that holds another agent's event with one MESSAGE of its own while the
/// shared budget lasts; a <see cref="Kick"/> message starts the exchange again after the budget was raised.
/// </summary>
internal sealed class ChatterAgent : Agent
{
    /// <summary>The message that makes an agent publish once (if the budget allows).</summary>
    public static readonly object Kick = new();

    private long _handed;

    protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        ScaleCounters.AddHanded(view.New.Count);
        ScaleCounters.Look(view.New);
        _handed += view.New.Count;
        if (!view.IsReplay && view.FromOthers.Any() && ScaleCounters.TryTake())
        {
            await view.PublishAsync(Actions.Message, new { text = "a short message of forty-odd bytes" }, cancellationToken: cancellationToken);
        }
    }

    /// <summary>Its state is how many events it was handed: small, as a working agent's summary would be.</summary>
    protected override ValueTask<object?> SnapshotAsync(TopicMember topic, CancellationToken cancellationToken)
        => ValueTask.FromResult<object?>(new { handed = _handed });

    protected override ValueTask RestoreAsync(TopicMember topic, System.Text.Json.JsonElement state, CancellationToken cancellationToken)
    {
        _handed = state.GetProperty("handed").GetInt64();
        return ValueTask.CompletedTask;
    }

    protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
    {
        if (ReferenceEquals(message, Kick) && ScaleCounters.TryTake())
        {
            await Topics[0].PublishAsync(Actions.Message, new { text = "a short message of forty-odd bytes" }, cancellationToken: cancellationToken);
        }
    }
}

/// <summary>Counts what it is handed and publishes one MESSAGE per <see cref="ChatterAgent.Kick"/>.</summary>
internal sealed class KickAgent : Agent
{
    protected override ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        ScaleCounters.AddHanded(view.New.Count);
        return ValueTask.CompletedTask;
    }

    protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
    {
        if (ReferenceEquals(message, ChatterAgent.Kick))
        {
            await Topics[0].PublishAsync(Actions.Message, new { text = "burst" }, cancellationToken: cancellationToken);
        }
    }
}
