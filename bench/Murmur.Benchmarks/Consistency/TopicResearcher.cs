using Murmur.AI.Events;
using Murmur.Agents;
using Murmur.Events;
using Murmur.Topics;
namespace Murmur.Benchmarks.Consistency;

/// <summary>
/// A researcher on a topic. Strict: one search step per round (its handler runs once per round). Eventual: all
/// steps back to back, publishing as it goes (it needs nobody's events to continue).
/// </summary>
internal sealed class TopicResearcher(ExploratoryRun run, ResearcherPlan plan) : Agent
{
    private readonly Dictionary<string, string> _eventIds = new(StringComparer.Ordinal);
    private int _step;
    private bool _running;

    protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        run.OnHanded(view.New.Count);
        if (view.IsReplay)
        {
            return;
        }
        if (view.Member.Consistency == Murmur.Topics.Consistency.Strict)
        {
            if (_step < plan.Steps.Count)
            {
                await run.Started.WaitAsync(cancellationToken);
                await StepAsync(view.Member, cancellationToken);
            }
            return;
        }
        if (_running)
        {
            return;
        }
        _running = true;
        await run.Started.WaitAsync(cancellationToken);
        while (_step < plan.Steps.Count)
        {
            await StepAsync(view.Member, cancellationToken);
        }
    }

    private async Task StepAsync(TopicMember member, CancellationToken cancellationToken)
    {
        var index = _step++;
        var step = plan.Steps[index];
        await Modelled.DelayAsync(step.ToolMs, cancellationToken);
        await Modelled.DelayAsync(step.ModelMs, cancellationToken);
        await member.PublishAsync(AiActions.ToolResult, Payloads.Key($"step-{index + 1}"), cancellationToken: cancellationToken);
        foreach (var key in step.Retracts)
        {
            await member.PublishRawAsync(Actions.Retract, new Retraction(_eventIds[key], "false positive").ToPayload(), cancellationToken: cancellationToken);
        }
        foreach (var key in step.Findings)
        {
            var finding = await member.PublishAsync(AiActions.Finding, Payloads.Key(key), cancellationToken: cancellationToken);
            _eventIds[key] = finding.EventId;
        }
        if (_step == plan.Steps.Count)
        {
            await member.PublishAsync(Actions.TaskComplete, cancellationToken: cancellationToken);
            run.ResearcherDone();
        }
    }
}
