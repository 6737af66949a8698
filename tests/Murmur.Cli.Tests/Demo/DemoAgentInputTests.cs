using System.Text;
using Murmur.AI.Events;
using Murmur.Agents;
using Murmur.Cli.Demo;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.Cli.Tests.Demo;

/// <summary>The demo's agents on someone else's payloads, and across a node restart: answered, never crashed, nothing redone.</summary>
public sealed class DemoAgentInputTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Publishes whatever JSON it is asked to: a client that follows the wire format loosely.</summary>
    private sealed class Puppet : Agent
    {
        protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        {
            if (message is ValueTuple<string, string> (var action, var json))
            {
                Context.Reply(await Topics[0].PublishRawAsync(action, Encoding.UTF8.GetBytes(json), cancellationToken: cancellationToken));
            }
        }
    }

    /// <summary>FINDING payloads, as the researcher writes them, for leaks the coder has a recipe for.</summary>
    private static List<string> Findings(string root)
    {
        var findings = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var path = Path.GetRelativePath(root, file);
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (Leaks.Classify(lines[i]) is { } issue && Leaks.Fix(lines[i]) is not null && !path.Contains("tests", StringComparison.Ordinal))
                {
                    findings.Add(System.Text.Json.JsonSerializer.Serialize(new { path, line = i + 1, text = lines[i].Trim(), issue, summary = $"{path}:{i + 1}: {issue}" }));
                }
            }
        }
        return findings;
    }

    private static Task<MurmurNode> NodeAsync(InMemoryEventLog log, string id)
        => MurmurNode.StartAsync(o =>
        {
            o.UseInMemoryLog(log);
            o.Options = o.Options with { NodeId = id };
        });

    [Fact]
    public async Task ForeignPayloads_AreAnsweredWithAReason_AndARestartedNodeRedoesNothing()
    {
        var root = DemoCommandTests.ExampleTree();
        var valid = Findings(root);
        Assert.True(valid.Count >= 2, "the example tree has leaks the coder can fix");
        var demo = new DemoContext(root, Consistency.Eventual, TimeSpan.Zero, seed: 1, researchers: 1);
        var log = new InMemoryEventLog();

        await using (var node = await NodeAsync(log, "n1"))
        {
            var topic = await node.OpenTopicAsync("fix");
            await node.SpawnAsync("Coder_Agent_1", () => new DemoCoder(demo), topic);
            await node.SpawnAsync("Reviewer_Agent_1", () => new DemoReviewer(demo), topic);
            var client = await node.SpawnAsync("Foreign_Client", () => new Puppet(), topic);
            Task<AgentEvent> Send(string action, string json) => node.Runtime.AskAsync<AgentEvent>(client, (action, json));

            // Shaped as the old wire-format page documented FINDING, a path out of the tree, a PROPOSAL that is not a fix.
            var documented1 = await Send(AiActions.Finding, "{\"summary\":\"auth_token leaks\",\"data\":{\"file\":\"a.py\"}}");
            var documented2 = await Send(AiActions.Finding, "{\"summary\":\"again\",\"data\":[1,2]}");
            var escape = await Send(AiActions.Finding, "{\"path\":\"../../../../etc/passwd\",\"line\":1}");
            var notAFix = await Send(AiActions.Proposal, "{\"path\":7}");
            var finding = await Send(AiActions.Finding, valid[0]);

            var review = await topic.WaitForEventAsync(e => e.Action == "REVIEW").WaitAsync(Patience);
            foreach (var (bad, why) in new[] { (documented1, "payload.path must be a string"), (documented2, "payload.path must be a string"), (escape, "leads out of the tree"), (notAFix, "payload is not a fix") })
            {
                var answer = await topic.WaitForEventAsync(e => e.Action == Actions.Message && e.GetPayload().TryGetProperty("in_reply_to", out var to) && to.GetString() == bad.EventId).WaitAsync(Patience);
                Assert.Contains(why, answer.GetPayload().GetProperty("text").GetString(), StringComparison.Ordinal);
            }
            Assert.False(node.Runtime.Completion.IsCompleted);
            Assert.Empty(node.DeadLetters.Items); // nothing crashed an agent (a poison event would be a dead letter)
            Assert.Equal(finding.EventId, Assert.Single(topic.History, e => e.Action == AiActions.Proposal && e.Actor == "Coder_Agent_1").DependsOn.Single());
            Assert.Equal("Reviewer_Agent_1", review.Actor);
        }

        // The node restarts: the agents rejoin from the log and are handed what they did as replay, so nothing is redone.
        await using (var node = await NodeAsync(log, "n1"))
        {
            var topic = await node.OpenTopicAsync("fix");
            await node.SpawnAsync("Coder_Agent_1", () => new DemoCoder(demo), topic);
            await node.SpawnAsync("Reviewer_Agent_1", () => new DemoReviewer(demo), topic);
            var client = await node.SpawnAsync("Foreign_Client", () => new Puppet(), topic);
            var second = await node.Runtime.AskAsync<AgentEvent>(client, (AiActions.Finding, valid[1]));

            var proposal = await topic.WaitForEventAsync(e => e.Action == AiActions.Proposal && e.DependsOn.Contains(second.EventId)).WaitAsync(Patience);
            await topic.WaitForEventAsync(e => e.Action == "REVIEW" && e.GetPayload().GetProperty("proposal").GetString() == proposal.EventId).WaitAsync(Patience);

            var history = topic.History;
            Assert.Equal(2, history.Count(e => e.Action == AiActions.Proposal && e.Actor == "Coder_Agent_1"));
            Assert.Equal(2, history.Count(e => e.Action == "REVIEW"));
            Assert.Equal(4, history.Count(e => e.Action == Actions.Message && e.GetPayload().TryGetProperty("in_reply_to", out _)));
            Assert.False(node.Runtime.Completion.IsCompleted);
        }
    }
}
