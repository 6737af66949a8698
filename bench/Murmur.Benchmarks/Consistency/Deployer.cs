using Murmur.Agents;
using Murmur.Topics;

namespace Murmur.Benchmarks.Consistency;

/// <summary>
/// Holds the production config and applies the operators' writes: strict — round by round; eventual — in delivery
/// order; eventual+speculation — each write is a journaled side effect of a speculation that commits when its
/// operator sends TASK_COMPLETE. The run's result is its config once every write was applied.
/// </summary>
internal sealed class Deployer(PrecisionRun run, CoderMode mode) : Agent
{
    private readonly ConfigState _state = new();
    private int _applied;

    protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        run.OnHanded(view.New.Count);
        if (view.IsReplay)
        {
            return;
        }
        switch (mode)
        {
            case CoderMode.Rounds:
                Applied(ConfigFold.ApplyRounds(_state, view.New));
                break;
            case CoderMode.AfterComplete:
                Applied(ConfigFold.ApplyDelivered(_state, view.New));
                break;
            default:
                foreach (var write in view.FromOthers.Where(e => e.Action == ConfigFold.ConfigSet))
                {
                    await using var speculation = view.Speculate(write);
                    speculation.OnCommit(() =>
                    {
                        ConfigFold.Apply(_state, write);
                        Applied(1);
                    });
                }
                break;
        }
    }

    private void Applied(int count)
    {
        _applied += count;
        if (count > 0 && _applied == run.Plan.TotalWrites)
        {
            run.Finish(_state);
        }
    }
}
