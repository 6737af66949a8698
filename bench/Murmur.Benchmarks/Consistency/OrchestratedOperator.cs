using Murmur.Agents;

namespace Murmur.Benchmarks.Consistency;

/// <summary>Orchestrated precision: answers each turn with its write, computed from the coordinator's snapshot.</summary>
internal sealed class OrchestratedOperator(PrecisionRun run, int index, IReadOnlyList<ConfigOp> ops, AgentRef coordinator) : Agent
{
    protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
    {
        if (message is PrecisionTurn turn)
        {
            run.OnHanded(1);
            var op = ops[turn.Step];
            await Modelled.DelayAsync(op.LatencyMs, cancellationToken);
            Context.Send(coordinator, new PrecisionWrite(index, op.Key, turn.Snapshot.Compute(op)));
        }
    }
}
