using Murmur.AI.Events;
using Murmur.Agents;
using Murmur.Events;
namespace Murmur.Benchmarks.Consistency;

/// <summary>A researcher that reports every step to the coordinator (on "go", once the run started).</summary>
internal sealed class OrchestratedResearcher(ExploratoryRun run, ResearcherPlan plan, AgentRef coordinator) : Agent
{
    protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
    {
        if (message is Note)
        {
            run.OnHanded(1); // a relay: read, nothing to do in the research phase
            return;
        }
        if (message is not "go")
        {
            return;
        }
        await run.Started.WaitAsync(cancellationToken);
        for (var i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            await Modelled.DelayAsync(step.ToolMs, cancellationToken);
            await Modelled.DelayAsync(step.ModelMs, cancellationToken);
            Report(AiActions.ToolResult, $"step-{i + 1}");
            foreach (var key in step.Retracts)
            {
                Report(Actions.Retract, key);
            }
            foreach (var key in step.Findings)
            {
                Report(AiActions.Finding, key);
            }
        }
        Report(Actions.TaskComplete, plan.Name);
        run.ResearcherDone();
    }

    private void Report(string kind, string key)
    {
        Context.Send(coordinator, new Note(kind, plan.Name, key));
        run.OnSent();
    }
}
