using Murmur.Agents;
using Murmur.Events;
using Murmur.Topics;

namespace Murmur.Benchmarks.Consistency;

/// <summary>
/// An operator on a topic: M read-modify-write steps on the shared config. Strict: one step per round, computed from
/// the round's view. Eventual: one step per turn (a message to itself), computed from whatever was delivered by then.
/// </summary>
internal sealed class TopicOperator(PrecisionRun run, IReadOnlyList<ConfigOp> ops) : Agent
{
    private const string NextStep = "next-step";
    private readonly ConfigState _state = new();
    private int _step;
    private bool _started;

    protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        run.OnHanded(view.New.Count);
        if (view.IsReplay)
        {
            return;
        }
        if (view.Member.Consistency == Murmur.Topics.Consistency.Strict)
        {
            ConfigFold.ApplyRounds(_state, view.New);
            if (_step < ops.Count)
            {
                await run.Started.WaitAsync(cancellationToken);
                await StepAsync(view.Member, cancellationToken);
            }
            return;
        }
        ConfigFold.ApplyDelivered(_state, view.New);
        if (!_started)
        {
            _started = true;
            await run.Started.WaitAsync(cancellationToken);
            Context.Send(Context.Self, NextStep);
        }
    }

    protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
    {
        if (message is NextStep && _step < ops.Count)
        {
            await StepAsync(Topics[0], cancellationToken);
            if (_step < ops.Count)
            {
                Context.Send(Context.Self, NextStep);
            }
        }
    }

    private async Task StepAsync(TopicMember member, CancellationToken cancellationToken)
    {
        var op = ops[_step++];
        await Modelled.DelayAsync(op.LatencyMs, cancellationToken);
        await member.PublishAsync(ConfigFold.ConfigSet, ConfigFold.Payload(op.Key, _state.Compute(op)), cancellationToken: cancellationToken);
        if (_step == ops.Count)
        {
            await member.PublishAsync(Actions.TaskComplete, cancellationToken: cancellationToken);
        }
    }
}
