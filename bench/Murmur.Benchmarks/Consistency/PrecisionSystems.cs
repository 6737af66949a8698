using Murmur.Agents;
using Murmur.Topics;

namespace Murmur.Benchmarks.Consistency;

/// <summary>Runs the precision task once on each system; returns the wall time and the resulting config.</summary>
internal static class PrecisionSystems
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static Task<(double Seconds, string Result)> RunAsync(string system, PrecisionPlan plan) => system switch
    {
        ExploratorySystems.Orchestrated => RunOrchestratedAsync(plan),
        ExploratorySystems.Strict => RunTopicAsync(plan, Murmur.Topics.Consistency.Strict, CoderMode.Rounds),
        ExploratorySystems.Eventual => RunTopicAsync(plan, Murmur.Topics.Consistency.Eventual, CoderMode.AfterComplete),
        ExploratorySystems.Speculative => RunTopicAsync(plan, Murmur.Topics.Consistency.Eventual, CoderMode.Speculate),
        _ => throw new ArgumentOutOfRangeException(nameof(system), system, "unknown system"),
    };

    private static async Task<(double, string)> RunTopicAsync(PrecisionPlan plan, Murmur.Topics.Consistency consistency, CoderMode mode)
    {
        await using var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog());
        var run = new PrecisionRun(plan);
        var topic = await node.OpenTopicAsync("config", consistency, new TopicOptions { MinMembers = plan.Operators.Count + 1 });
        foreach (var (name, ops) in plan.Operators)
        {
            await node.SpawnAsync(name, () => new TopicOperator(run, ops), topic);
        }
        await node.SpawnAsync("Deployer", () => new Deployer(run, mode), topic);
        await topic.WaitForDeliveredAsync(plan.Operators.Count + 1).WaitAsync(Patience);
        run.Begin();
        return await run.Done.WaitAsync(Patience);
    }

    private static async Task<(double, string)> RunOrchestratedAsync(PrecisionPlan plan)
    {
        await using var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog());
        var run = new PrecisionRun(plan);
        var coordinator = await node.Runtime.SpawnAsync("Coordinator", () => new PrecisionCoordinator(run));
        List<AgentRef> operators = [];
        for (var i = 0; i < plan.Operators.Count; i++)
        {
            var (name, ops) = plan.Operators[i];
            var index = i;
            operators.Add(await node.Runtime.SpawnAsync(name, () => new OrchestratedOperator(run, index, ops, coordinator)));
        }
        coordinator.Send(operators);
        run.Begin();
        return await run.Done.WaitAsync(Patience);
    }
}
