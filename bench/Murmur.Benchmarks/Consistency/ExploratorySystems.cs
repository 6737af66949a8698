using Murmur.AI.Events;
using Murmur.Agents;
using Murmur.Topics;
namespace Murmur.Benchmarks.Consistency;

/// <summary>Runs the exploratory task once on each system; every run gets a fresh node with the in-memory log.</summary>
internal static class ExploratorySystems
{
    public const string Orchestrated = "orchestrated";
    public const string Strict = "strict";
    public const string Eventual = "eventual";
    public const string Speculative = "eventual+speculation";

    public static readonly string[] All = [Orchestrated, Strict, Eventual, Speculative];

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static Task<ExploratoryResult> RunAsync(string system, ExploratoryPlan plan) => system switch
    {
        Orchestrated => RunOrchestratedAsync(plan),
        Strict => RunTopicAsync(plan, Murmur.Topics.Consistency.Strict, CoderMode.Rounds),
        Eventual => RunTopicAsync(plan, Murmur.Topics.Consistency.Eventual, CoderMode.AfterComplete),
        Speculative => RunTopicAsync(plan, Murmur.Topics.Consistency.Eventual, CoderMode.Speculate),
        _ => throw new ArgumentOutOfRangeException(nameof(system), system, "unknown system"),
    };

    private static async Task<ExploratoryResult> RunTopicAsync(ExploratoryPlan plan, Murmur.Topics.Consistency consistency, CoderMode mode)
    {
        await using var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog());
        var run = new ExploratoryRun(plan);
        var topic = await node.OpenTopicAsync("explore", consistency, new TopicOptions { MinMembers = plan.Researchers.Count + 2 });
        foreach (var researcher in plan.Researchers)
        {
            await node.SpawnAsync(researcher.Name, () => new TopicResearcher(run, researcher), topic);
        }
        await node.SpawnAsync("Coder_Agent_1", () => new TopicCoder(run, mode), topic);
        await node.SpawnAsync("Reviewer_Agent_1", () => new TopicReviewer(run, mode), topic);
        await topic.WaitForDeliveredAsync(plan.Researchers.Count + 2).WaitAsync(Patience); // every JOIN
        run.Begin();
        var wall = await run.Done.WaitAsync(Patience);
        ThrowOnErrors(run, mode.ToString());
        if (mode == CoderMode.Speculate)
        {
            // Speculations on retracted findings abort a moment after the finish line (the reviewer's, transitively).
            for (var i = 0; i < 2000 && topic.Speculations.Started != topic.Speculations.Committed + topic.Speculations.Aborted; i++)
            {
                await Task.Delay(1);
            }
        }
        await topic.CatchUpAsync();
        return new ExploratoryResult(wall, topic.History.Count, run.Handed, run.Drafts, topic.Speculations);
    }

    private static async Task<ExploratoryResult> RunOrchestratedAsync(ExploratoryPlan plan)
    {
        await using var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog());
        var run = new ExploratoryRun(plan);
        var coordinator = await node.Runtime.SpawnAsync("Coordinator", () => new Coordinator(run));
        List<AgentRef> researchers = [];
        foreach (var researcher in plan.Researchers)
        {
            researchers.Add(await node.Runtime.SpawnAsync(researcher.Name, () => new OrchestratedResearcher(run, researcher, coordinator)));
        }
        var coder = await node.Runtime.SpawnAsync("Coder_Agent_1", () => new OrchestratedWorker(run, coordinator, Note.DraftRequest, AiActions.Proposal, plan.DraftMs));
        var reviewer = await node.Runtime.SpawnAsync("Reviewer_Agent_1", () => new OrchestratedWorker(run, coordinator, Note.ReviewRequest, Payloads.Review, plan.ReviewMs));
        coordinator.Send(new OrchestraRoster(researchers, coder, reviewer));
        foreach (var researcher in researchers)
        {
            researcher.Send("go");
        }
        run.Begin();
        var wall = await run.Done.WaitAsync(Patience);
        ThrowOnErrors(run, Orchestrated);
        return new ExploratoryResult(wall, run.Sent, run.Sent + run.Relayed, run.Drafts, default);
    }

    private static void ThrowOnErrors(ExploratoryRun run, string system)
    {
        if (run.Errors.Count > 0)
        {
            throw new InvalidOperationException($"{system} produced a wrong result (seed {run.Plan.Seed}): {string.Join("; ", run.Errors)}");
        }
    }
}
