using Murmur.AI.Events;
using Murmur.Agents;
using Murmur.Events;
using Murmur.Topics;

namespace WorkerService;

/// <summary>The finding the researcher reports; configured through DI.</summary>
public sealed record Briefing(string Finding);

/// <summary>Reports a finding when it starts, and completes the task once the finding was reviewed.</summary>
public sealed class Researcher(Briefing briefing) : Agent
{
    protected override async ValueTask OnStartedAsync(CancellationToken cancellationToken)
    {
        if (Topics[0].Sequence > 1)
        {
            return; // a restarted instance already reported: its own events beyond the JOIN survive restarts
        }
        await Topics[0].PublishAsync(AiActions.Finding, new { text = briefing.Finding }, cancellationToken: cancellationToken);
    }

    protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        if (!view.IsReplay && view.FromOthers.Any(e => e.Action == "REVIEW"))
        {
            await Topics[0].PublishAsync(Actions.TaskComplete, new { }, cancellationToken: cancellationToken);
        }
    }
}

/// <summary>Reviews every finding of another agent.</summary>
public sealed class Reviewer : Agent
{
    protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        foreach (var finding in view.FromOthers.Where(e => e.Action == AiActions.Finding && !view.IsReplay))
        {
            await Topics[0].PublishAsync("REVIEW", new { finding = finding.EventId, verdict = "confirmed" }, cancellationToken: cancellationToken);
        }
    }
}
