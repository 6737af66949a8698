using Murmur.AI.Events;
using Murmur.Agents;
using Murmur.Events;
using Murmur.Topics;
namespace Murmur.Benchmarks.Consistency;

/// <summary>
/// Reviews each PROPOSAL (REVIEW) and accepts the patch once its finding is final. <see cref="CoderMode.Rounds"/>:
/// reviews in the round after the proposal, accepts when the view holds the researcher's TASK_COMPLETE and no
/// RETRACT. <see cref="CoderMode.AfterComplete"/>: proposals are of confirmed findings, accepted at once.
/// <see cref="CoderMode.Speculate"/>: reviews at once inside a speculation on the (speculative) proposal; the
/// acceptance is its journaled side effect, so it runs only when the coder's speculation commits.
/// </summary>
internal sealed class TopicReviewer(ExploratoryRun run, CoderMode mode) : Agent
{
    private readonly Dictionary<string, string> _keyByEventId = new(StringComparer.Ordinal);
    private readonly HashSet<string> _retracted = new(StringComparer.Ordinal);
    private readonly HashSet<string> _completed = new(StringComparer.Ordinal);
    private readonly List<string> _reviewed = [];
    private readonly HashSet<string> _accepted = new(StringComparer.Ordinal);

    protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        run.OnHanded(view.New.Count);
        if (view.IsReplay)
        {
            return;
        }
        List<AgentEvent> proposals = [];
        foreach (var e in view.FromOthers)
        {
            switch (e.Action)
            {
                case AiActions.Finding:
                    _keyByEventId[e.EventId] = Payloads.ReadKey(e);
                    break;
                case Actions.Retract when Retraction.TryRead(e, out var retraction) && _keyByEventId.TryGetValue(retraction!.Target, out var target):
                    _retracted.Add(target);
                    break;
                case Actions.TaskComplete:
                    _completed.Add(e.Actor);
                    break;
                case AiActions.Proposal:
                    proposals.Add(e);
                    break;
                default:
                    break;
            }
        }
        foreach (var proposal in proposals)
        {
            var key = Payloads.ReadKey(proposal);
            if (_retracted.Contains(key) || view.Member.IsWithdrawn(proposal.EventId))
            {
                continue;
            }
            if (mode == CoderMode.Speculate)
            {
                await using var speculation = view.Speculate(proposal);
                await Modelled.DelayAsync(run.Plan.ReviewMs(key), cancellationToken);
                await speculation.PublishAsync(Payloads.Review, Payloads.Key(key), cancellationToken);
                speculation.OnCommit(() => run.Accept(key));
                continue;
            }
            await Modelled.DelayAsync(run.Plan.ReviewMs(key), cancellationToken);
            await view.PublishAsync(Payloads.Review, Payloads.Key(key), cancellationToken: cancellationToken);
            _reviewed.Add(key);
        }
        foreach (var key in _reviewed)
        {
            if (!_retracted.Contains(key) && (mode == CoderMode.AfterComplete || _completed.Contains(run.Plan.ResearcherOf(key))) && _accepted.Add(key))
            {
                run.Accept(key);
            }
        }
    }
}
