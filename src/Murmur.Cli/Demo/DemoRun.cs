using System.Diagnostics;
using Murmur.AI.Events;
using Murmur.Events;
using Murmur.Topics;

namespace Murmur.Cli.Demo;

/// <summary>The outcome of one run of the scenario in one consistency mode.</summary>
internal sealed record DemoRun(
    Consistency Mode,
    TimeSpan WallClock,
    IReadOnlyList<AgentEvent> Events,
    SpeculationStats Speculations,
    IReadOnlyList<Fix> Fixes)
{
    public int Count(string action) => Events.Count(e => e.Action == action);

    /// <summary>How long before the last researcher's <c>TASK_COMPLETE</c> the coder published its first proposal (negative: after).</summary>
    public TimeSpan? DraftLead
    {
        get
        {
            var firstProposal = Events.FirstOrDefault(e => e.Action == AiActions.Proposal);
            var researchDone = Events.LastOrDefault(e => e.Action == Actions.TaskComplete && e.Actor.StartsWith("Researcher", StringComparison.Ordinal));
            return firstProposal?.Timestamp is { } p && researchDone?.Timestamp is { } r ? TimeSpan.FromMilliseconds(r - p) : null;
        }
    }

    /// <summary>Runs the scenario on a fresh node with the embedded in-memory log.</summary>
    public static async Task<DemoRun> RunAsync(DemoSettings settings, Consistency mode, Action<Topic>? watch, CancellationToken cancellationToken)
    {
        await using var node = await MurmurNode.StartAsync(o => o.Options = o.Options with { NodeId = "demo-node", EventIdSeed = settings.Seed }, cancellationToken);
        var topic = await node.OpenTopicAsync("fix-auth-token", mode, new TopicOptions { MinMembers = 5 }, cancellationToken);
        watch?.Invoke(topic);
        var demo = new DemoContext(settings.Root, mode, settings.Think, settings.Seed, researchers: 3);
        var clock = Stopwatch.StartNew();
        await node.SpawnAsync("Coder_Agent_1", () => new DemoCoder(demo), topic, cancellationToken: cancellationToken);
        var model = settings.Model is null ? null : Murmur.AI.Providers.ChatClientFactory.Create(settings.Model, settings.Endpoint);
        await node.SpawnAsync("Reviewer_Agent_1", () => new DemoReviewer(demo, model), topic, cancellationToken: cancellationToken);
        await node.SpawnAsync("Researcher_Agent_1", () => new DemoResearcher(demo, ["services/api"]), topic, cancellationToken: cancellationToken);
        await node.SpawnAsync("Researcher_Agent_2", () => new DemoResearcher(demo, ["services/web"]), topic, cancellationToken: cancellationToken);
        await node.SpawnAsync("Researcher_Agent_3", () => new DemoResearcher(demo, ["services/worker", "deploy"]), topic, cancellationToken: cancellationToken);
        await topic.WaitForEventAsync(e => e.Actor == "Coder_Agent_1" && e.Action == Actions.TaskComplete, cancellationToken)
            .WaitAsync(settings.Timeout, cancellationToken);
        clock.Stop();
        if (node.DeadLetters.Count > 0)
        {
            throw new InvalidOperationException($"the {mode} run refused {node.DeadLetters.Count} event(s): {node.DeadLetters.Items[0].Reason}");
        }
        return new DemoRun(mode, clock.Elapsed, topic.History, topic.Speculations, [.. demo.Accepted.Values.OrderBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Line)]);
    }
}
