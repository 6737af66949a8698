using Murmur.Agents;

namespace Murmur.Benchmarks.Consistency;

/// <summary>
/// Orchestrated precision: the coordinator owns the config and runs the plan step by step — hand every operator the
/// current config, collect every write, apply them in operator order, next step.
/// </summary>
internal sealed class PrecisionCoordinator(PrecisionRun run) : Agent
{
    private readonly ConfigState _state = new();
    private readonly SortedDictionary<int, PrecisionWrite> _writes = [];
    private IReadOnlyList<AgentRef> _operators = [];
    private int _step;

    protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case IReadOnlyList<AgentRef> operators:
                _operators = operators;
                await run.Started.WaitAsync(cancellationToken);
                Ask();
                break;
            case PrecisionWrite write:
                run.OnHanded(1);
                _writes[write.Operator] = write;
                if (_writes.Count < _operators.Count)
                {
                    break;
                }
                foreach (var w in _writes.Values)
                {
                    _state.Set(w.Key, w.Value);
                }
                _writes.Clear();
                if (++_step == run.Plan.Steps)
                {
                    run.Finish(_state);
                }
                else
                {
                    Ask();
                }
                break;
            default:
                break;
        }
    }

    private void Ask()
    {
        var snapshot = _state.Clone();
        foreach (var op in _operators)
        {
            Context.Send(op, new PrecisionTurn(_step, snapshot));
        }
    }
}
