using Murmur.Agents;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Topics;

namespace Murmur.Tests.Topics;

public sealed class SpeculationTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("murmur-spec-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Publishes what it is told: "finding", "complete", or "retract:&lt;event id&gt;".</summary>
    private sealed class Producer : Agent
    {
        protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        {
            var member = Topics[0];
            var published = message switch
            {
                "finding" => await member.PublishAsync("FINDING", new { text = "auth_token logged in login.py" }, cancellationToken: cancellationToken),
                "complete" => await member.PublishAsync(Actions.TaskComplete, new { }, cancellationToken: cancellationToken),
                string s when s.StartsWith("retract:", StringComparison.Ordinal) =>
                    await member.PublishRawAsync(Actions.Retract, new Retraction(s[8..], "false positive").ToPayload(), cancellationToken: cancellationToken),
                _ => throw new InvalidOperationException($"unknown command {message}"),
            };
            Context.Reply(published);
        }
    }

    /// <summary>Drafts a patch on each finding at once, speculatively; the file write waits for the commit. Re-plans on abort.</summary>
    private sealed class Coder(string path) : Agent
    {
        protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
        {
            foreach (var finding in view.FromOthers.Where(e => e.Action == "FINDING" && !view.IsReplay))
            {
                await using var speculation = view.Speculate(finding);
                var draft = $"patched because of {finding.EventId}";
                await speculation.PublishAsync("PROPOSAL", new { draft }, cancellationToken);
                speculation.OnCommit(() => File.WriteAllText(path, draft));
            }
        }

        protected override async ValueTask OnSpeculationAbortedAsync(Speculation aborted, CancellationToken cancellationToken)
            => await Topics[0].PublishAsync("REPLAN", new { aborted = aborted.Id, reason = aborted.AbortReason }, cancellationToken: cancellationToken);

        protected override async ValueTask OnSpeculationCommittedAsync(Speculation committed, CancellationToken cancellationToken)
            => await Topics[0].PublishAsync("APPLIED", new { committed = committed.Id }, cancellationToken: cancellationToken);
    }

    /// <summary>Reviews proposals speculatively (nested speculation: work on speculative work).</summary>
    private sealed class Reviewer(string path) : Agent
    {
        protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
        {
            foreach (var proposal in view.FromOthers.Where(e => e.Action == "PROPOSAL" && !view.IsReplay))
            {
                await using var speculation = view.Speculate(proposal);
                await speculation.PublishAsync("REVIEW", new { verdict = "looks right" }, cancellationToken);
                speculation.OnCommit(() => File.WriteAllText(path, "approved"));
            }
        }

        protected override async ValueTask OnSpeculationCommittedAsync(Speculation committed, CancellationToken cancellationToken)
            => await Topics[0].PublishAsync("APPROVED", new { committed = committed.Id }, cancellationToken: cancellationToken);
    }

    private async Task<(MurmurNode Node, Topic Topic, AgentRef Producer)> StartAsync(bool withReviewer)
    {
        var node = await MurmurNode.StartAsync();
        var topic = await node.OpenTopicAsync("spec");
        var producer = await node.SpawnAsync("Researcher", () => new Producer(), topic);
        await node.SpawnAsync("Coder", () => new Coder(Path.Combine(_dir, "patch.txt")), topic);
        if (withReviewer)
        {
            await node.SpawnAsync("Reviewer", () => new Reviewer(Path.Combine(_dir, "review.txt")), topic);
        }
        return (node, topic, producer);
    }

    [Fact]
    public async Task Speculation_CommitsWhenTheProducerConfirms_AndOnlyThenRunsItsSideEffect()
    {
        var (node, topic, producer) = await StartAsync(withReviewer: false);
        await using var _ = node;
        var finding = await node.Runtime.AskAsync<AgentEvent>(producer, "finding");
        var proposal = await topic.WaitForEventAsync(e => e.Action == "PROPOSAL").WaitAsync(Patience);
        Assert.Equal([finding.EventId], proposal.DependsOn);
        Assert.Equal(ClockOrder.Before, finding.Clock.Compare(proposal.Clock));
        Assert.False(File.Exists(Path.Combine(_dir, "patch.txt"))); // drafted, not written: the finding is provisional
        await node.Runtime.AskAsync<AgentEvent>(producer, "complete");
        var commit = await topic.WaitForEventAsync(e => e.Action == Actions.SpeculationCommit).WaitAsync(Patience);
        await topic.WaitForEventAsync(e => e.Action == "APPLIED").WaitAsync(Patience); // the effect ran before this
        Assert.Contains(proposal.EventId, commit.GetPayload().GetProperty("events").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal($"patched because of {finding.EventId}", await File.ReadAllTextAsync(Path.Combine(_dir, "patch.txt")));
        Assert.Equal(new SpeculationStats(1, 1, 0), topic.Speculations);
        TopicTests.AssertCausal(topic.History);
    }

    [Fact]
    public async Task Retract_AbortsTheSpeculation_DiscardsItsSideEffect_AndTheAgentReplans()
    {
        var (node, topic, producer) = await StartAsync(withReviewer: false);
        await using var _ = node;
        var finding = await node.Runtime.AskAsync<AgentEvent>(producer, "finding");
        await topic.WaitForEventAsync(e => e.Action == "PROPOSAL").WaitAsync(Patience);
        await node.Runtime.AskAsync<AgentEvent>(producer, "retract:" + finding.EventId);
        var abort = await topic.WaitForEventAsync(e => e.Action == Actions.SpeculationAbort).WaitAsync(Patience);
        Assert.Contains("retracted", abort.GetPayload().GetProperty("reason").GetString(), StringComparison.Ordinal);
        await topic.WaitForEventAsync(e => e.Action == "REPLAN").WaitAsync(Patience);
        // A later confirmation changes nothing: the aborted speculation's journal is gone.
        await node.Runtime.AskAsync<AgentEvent>(producer, "complete");
        await topic.CatchUpAsync();
        Assert.False(File.Exists(Path.Combine(_dir, "patch.txt")));
        Assert.Equal(new SpeculationStats(1, 0, 1), topic.Speculations);
        TopicTests.AssertCausal(topic.History);
    }

    [Fact]
    public async Task NestedSpeculation_AbortsTransitively_WhenTheRootFindingIsRetracted()
    {
        var (node, topic, producer) = await StartAsync(withReviewer: true);
        await using var _ = node;
        var finding = await node.Runtime.AskAsync<AgentEvent>(producer, "finding");
        var review = await topic.WaitForEventAsync(e => e.Action == "REVIEW").WaitAsync(Patience);
        var proposal = topic.History.Single(e => e.Action == "PROPOSAL");
        Assert.Equal([proposal.EventId], review.DependsOn);
        await node.Runtime.AskAsync<AgentEvent>(producer, "retract:" + finding.EventId);
        await topic.WaitForEventAsync(e => e.Action == Actions.SpeculationAbort && e.Actor == "Reviewer").WaitAsync(Patience);
        Assert.False(File.Exists(Path.Combine(_dir, "patch.txt")));
        Assert.False(File.Exists(Path.Combine(_dir, "review.txt")));
        Assert.Equal(new SpeculationStats(2, 0, 2), topic.Speculations);
    }

    [Fact]
    public async Task NestedSpeculation_CommitsInTurn_WhenTheRootIsConfirmed()
    {
        var (node, topic, producer) = await StartAsync(withReviewer: true);
        await using var _ = node;
        await node.Runtime.AskAsync<AgentEvent>(producer, "finding");
        await topic.WaitForEventAsync(e => e.Action == "REVIEW").WaitAsync(Patience);
        await node.Runtime.AskAsync<AgentEvent>(producer, "complete");
        await topic.WaitForEventAsync(e => e.Action == "APPROVED").WaitAsync(Patience);
        await topic.WaitForEventAsync(e => e.Action == "APPLIED").WaitAsync(Patience);
        Assert.True(File.Exists(Path.Combine(_dir, "patch.txt")));
        Assert.Equal("approved", await File.ReadAllTextAsync(Path.Combine(_dir, "review.txt")));
        Assert.Equal(new SpeculationStats(2, 2, 0), topic.Speculations);
        TopicTests.AssertCausal(topic.History);
    }

    [Fact]
    public async Task Speculate_InAStrictTopic_IsRefused()
    {
        await using var node = await MurmurNode.StartAsync();
        var topic = await node.OpenTopicAsync("strict-spec", Consistency.Strict);
        var error = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await node.SpawnAsync("A", () => new Probe(error), topic);
        var thrown = await error.Task.WaitAsync(Patience);
        Assert.IsType<InvalidOperationException>(thrown);
        Assert.Contains("strict", thrown!.Message, StringComparison.Ordinal);
    }

    private sealed class Probe(TaskCompletionSource<Exception?> error) : Agent
    {
        protected override ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
        {
            try
            {
                view.Member.Speculate(["x"]);
                error.TrySetResult(null);
            }
            catch (InvalidOperationException ex)
            {
                error.TrySetResult(ex);
            }
            return ValueTask.CompletedTask;
        }
    }
}
