using Murmur.AI.Events;
using Murmur.Agents;
namespace Murmur.Benchmarks.Consistency;

/// <summary>The orchestrated coder or reviewer: does what the coordinator asks (a modelled latency), answers it, ignores relays.</summary>
internal sealed class OrchestratedWorker(ExploratoryRun run, AgentRef coordinator, string request, string answer, Func<string, double> latencyMs) : Agent
{
    protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
    {
        if (message is not Note note)
        {
            return;
        }
        run.OnHanded(1);
        if (!string.Equals(note.Kind, request, StringComparison.Ordinal))
        {
            return;
        }
        await Modelled.DelayAsync(latencyMs(note.Key), cancellationToken);
        if (string.Equals(answer, AiActions.Proposal, StringComparison.Ordinal))
        {
            run.OnDrafted();
        }
        Context.Send(coordinator, new Note(answer, Context.Id.ToString(), note.Key));
        run.OnSent();
    }
}
