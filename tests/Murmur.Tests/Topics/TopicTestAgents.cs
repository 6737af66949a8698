using System.Text.Json;
using Murmur.Agents;
using Murmur.Events;
using Murmur.Topics;

namespace Murmur.Tests.Topics;

/// <summary>Records every view; answers its partner's "ping" n with "pong" n+1 (and the reverse) until n reaches a limit.</summary>
public sealed class Echo(Seen seen, int limit = 0, string? partner = null) : Agent
{
    protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        foreach (var e in view.New)
        {
            seen.Add(view.Member.Actor, e, view.IsReplay);
        }
        if (view.IsReplay)
        {
            return;
        }
        foreach (var e in view.FromOthers.Where(e => partner is null || e.Actor == partner))
        {
            if (e.Action == "ping" && N(e) < limit)
            {
                await view.PublishAsync("pong", new { n = N(e) + 1 }, cancellationToken: cancellationToken);
            }
            else if (e.Action == "pong" && N(e) < limit)
            {
                await view.PublishAsync("ping", new { n = N(e) + 1 }, cancellationToken: cancellationToken);
            }
        }
    }

    protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
    {
        if (message is string action)
        {
            Context.Reply(await Topics[0].PublishAsync(action, new { n = 0 }, cancellationToken: cancellationToken));
        }
        else if (message is "crash")
        {
            throw new InvalidOperationException("crash");
        }
    }

    public static int N(AgentEvent e) => e.GetPayload().GetProperty("n").GetInt32();
}

/// <summary>Crashes on the message "crash"; records views.</summary>
public class Crashy(Seen seen) : Agent
{
    protected override ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        foreach (var e in view.New)
        {
            seen.Add(view.Member.Actor, e, view.IsReplay);
        }
        return ValueTask.CompletedTask;
    }

    protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case "crash":
                throw new InvalidOperationException("crash on purpose");
            case string action:
                Context.Reply(await Topics[0].PublishAsync(action, JsonDocument.Parse("{\"n\":0}").RootElement, cancellationToken: cancellationToken));
                break;
        }
    }
}

/// <summary>What agents were handed, with a way to wait for an event without polling.</summary>
public sealed class Seen
{
    private readonly List<(string Agent, AgentEvent Event, bool Replay)> _items = [];
    private readonly Support.Probe _probe = new();

    public void Add(string agent, AgentEvent e, bool replay)
    {
        lock (_items)
        {
            _items.Add((agent, e, replay));
        }
        _probe.Add(e.EventId);
    }

    public IReadOnlyList<(string Agent, AgentEvent Event, bool Replay)> Items
    {
        get
        {
            lock (_items)
            {
                return [.. _items];
            }
        }
    }

    public Task WaitForAsync(string eventId, int times = 1) => _probe.WaitForCountAsync(eventId, times);
}
