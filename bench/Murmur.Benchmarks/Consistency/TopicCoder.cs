using Murmur.AI.Events;
using Murmur.Agents;
using Murmur.Events;
using Murmur.Topics;
namespace Murmur.Benchmarks.Consistency;

/// <summary>
/// Drafts a patch (PROPOSAL) per finding. <see cref="CoderMode.Rounds"/>: on the findings of earlier rounds, skipping
/// those already retracted. <see cref="CoderMode.AfterComplete"/>: a researcher's findings once it sent
/// TASK_COMPLETE. <see cref="CoderMode.Speculate"/>: each finding at once, inside a speculation.
/// </summary>
internal sealed class TopicCoder(ExploratoryRun run, CoderMode mode) : Agent
{
    private readonly Dictionary<string, string> _keyByEventId = new(StringComparer.Ordinal);
    private readonly List<(string Key, string Researcher)> _findings = [];
    private readonly HashSet<string> _retracted = new(StringComparer.Ordinal);
    private readonly HashSet<string> _drafted = new(StringComparer.Ordinal);

    protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        run.OnHanded(view.New.Count);
        if (view.IsReplay)
        {
            return;
        }
        List<AgentEvent> fresh = [];
        List<string> completed = [];
        foreach (var e in view.FromOthers)
        {
            switch (e.Action)
            {
                case AiActions.Finding:
                    var key = Payloads.ReadKey(e);
                    _keyByEventId[e.EventId] = key;
                    _findings.Add((key, e.Actor));
                    fresh.Add(e);
                    break;
                case Actions.Retract when Retraction.TryRead(e, out var retraction) && _keyByEventId.TryGetValue(retraction!.Target, out var target):
                    _retracted.Add(target);
                    break;
                case Actions.TaskComplete:
                    completed.Add(e.Actor);
                    break;
                default:
                    break;
            }
        }
        switch (mode)
        {
            case CoderMode.Rounds:
                foreach (var finding in fresh)
                {
                    await DraftAsync(view, Payloads.ReadKey(finding), cancellationToken);
                }
                break;
            case CoderMode.AfterComplete:
                foreach (var researcher in completed)
                {
                    foreach (var (key, _) in _findings.Where(f => string.Equals(f.Researcher, researcher, StringComparison.Ordinal)).ToList())
                    {
                        await DraftAsync(view, key, cancellationToken);
                    }
                }
                break;
            case CoderMode.Speculate:
                foreach (var finding in fresh)
                {
                    var key = Payloads.ReadKey(finding);
                    if (_retracted.Contains(key) || view.Member.IsWithdrawn(finding.EventId))
                    {
                        continue;
                    }
                    // Drafting is a read: it runs at once. The proposal carries depends_on; it is confirmed (and the
                    // reviewer's acceptance, a journaled side effect, runs) only when the researcher confirms the finding.
                    await using var speculation = view.Speculate(finding);
                    await Modelled.DelayAsync(run.Plan.DraftMs(key), cancellationToken);
                    run.OnDrafted();
                    _drafted.Add(key);
                    await speculation.PublishAsync(AiActions.Proposal, Payloads.Key(key), cancellationToken);
                }
                break;
            default:
                throw new InvalidOperationException($"unknown mode {mode}");
        }
    }

    private async Task DraftAsync(TopicView view, string key, CancellationToken cancellationToken)
    {
        if (_retracted.Contains(key) || !_drafted.Add(key))
        {
            return;
        }
        await Modelled.DelayAsync(run.Plan.DraftMs(key), cancellationToken);
        run.OnDrafted();
        await view.PublishAsync(AiActions.Proposal, Payloads.Key(key), cancellationToken: cancellationToken);
    }
}
