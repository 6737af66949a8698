using Murmur.AI.Agents;
using Murmur.AI.Events;
using Murmur.AI.Scripted;
using Murmur.AI.Tests.Support;
using Murmur.AI.Tools;
using Murmur.Events;
using Murmur.Topics;

namespace Murmur.AI.Tests.Agents;

/// <summary>
/// A side-effecting tool in an eventual topic runs only on confirmed information: called by a task that read a
/// finding not yet confirmed, it is journaled in a speculation on that finding, runs when the finding is confirmed,
/// and never runs if it is withdrawn.
/// </summary>
public sealed class SideEffectPolicyTests
{
    private const string Coder = "Coder";

    private static readonly string Script = """
        [{"when":{"seen_action":"FINDING"},"tool_calls":[{"tool":"record_effect","args":{"id":"fix-1"}}]},
         {"text":"patched"}]
        """;

    private static async Task<(MurmurNode Node, Topic Topic, TopicMember Researcher, EffectLedger Ledger)> StartAsync(Func<TopicMember, Task>? beforeTheCoder = null)
    {
        var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog());
        var ledger = new EffectLedger();
        node.Tools().Add(ledger.Tool());
        var topic = await node.OpenTopicAsync("fix");
        var researcher = await Puppet.JoinAsync(node, topic, "Researcher");
        if (beforeTheCoder is not null)
        {
            await beforeTheCoder(researcher);
        }
        var options = new LlmAgentOptions { AllowedTools = ["record_effect"], EnableReportFinding = false };
        await node.SpawnAsync(Coder, () => new LlmAgent(ScriptedChatClient.FromJson(Script), node.Tools(), options), topic);
        return (node, topic, researcher, ledger);
    }

    [Fact]
    public async Task ASideEffectOnAProvisionalFinding_IsJournaled_AndRunsWhenTheFindingIsConfirmed()
    {
        var (node, topic, researcher, ledger) = await StartAsync();
        await using (node)
        {
            var finding = await researcher.PublishAsync(AiActions.Finding, new { summary = "auth_token is logged" });
            await TopicWait.UntilAsync(topic, e => e.Actor == Coder && e.Action == Actions.TaskComplete);

            Assert.Empty(ledger.Effects);
            var call = topic.History.Single(e => e.Actor == Coder && e.Action == AiActions.ToolCall);
            Assert.Equal([finding.EventId], call.DependsOn);
            Assert.DoesNotContain(topic.History, e => e.Actor == Coder && e.Action == AiActions.ToolResult);

            await researcher.PublishAsync(Actions.TaskComplete, new { status = "done" }); // confirms the finding
            var history = await TopicWait.UntilAsync(topic, e => e.Actor == Coder && e.Action == AiActions.ToolResult);

            Assert.Equal(["fix-1"], ledger.Effects);
            var commit = history.Single(e => e.Actor == Coder && e.Action == Actions.SpeculationCommit);
            Assert.Contains(call.EventId, commit.GetPayload().GetProperty("events").EnumerateArray().Select(x => x.GetString()));
            var result = history.Single(e => e.Actor == Coder && e.Action == AiActions.ToolResult);
            Assert.Equal(call.EventId, result.GetPayload().GetProperty("call_id").GetString());
            Assert.True(history.ToList().IndexOf(commit) < history.ToList().IndexOf(result)); // the decision is in the log before the effect's result
        }
    }

    [Fact]
    public async Task ASideEffectOnAFindingThatIsWithdrawn_NeverRuns()
    {
        var (node, topic, researcher, ledger) = await StartAsync();
        await using (node)
        {
            var finding = await researcher.PublishAsync(AiActions.Finding, new { summary = "auth_token is logged" });
            await TopicWait.UntilAsync(topic, e => e.Actor == Coder && e.Action == Actions.TaskComplete);
            var call = topic.History.Single(e => e.Actor == Coder && e.Action == AiActions.ToolCall);

            await researcher.PublishAsync(Actions.Retract, new { event_id = finding.EventId, reason = "it was a test fixture" });
            var history = await TopicWait.UntilAsync(topic, e => e.Actor == Coder && e.Action == Actions.SpeculationAbort);

            Assert.Empty(ledger.Effects);
            var abort = history.Single(e => e.Actor == Coder && e.Action == Actions.SpeculationAbort);
            Assert.Contains(call.EventId, abort.GetPayload().GetProperty("events").EnumerateArray().Select(x => x.GetString()));
            Assert.DoesNotContain(history, e => e.Actor == Coder && e.Action == AiActions.ToolResult);
        }
    }

    [Fact]
    public async Task ASideEffectOnAConfirmedFinding_RunsAtOnce()
    {
        // The researcher completes before the coder joins: the coder reads the finding already confirmed.
        var (node, topic, _, ledger) = await StartAsync(async researcher =>
        {
            await researcher.PublishAsync(AiActions.Finding, new { summary = "auth_token is logged" });
            await researcher.PublishAsync(Actions.TaskComplete, new { status = "done" });
        });
        await using (node)
        {
            var history = await TopicWait.UntilAsync(topic, e => e.Actor == Coder && e.Action == Actions.TaskComplete);

            Assert.Equal(["fix-1"], ledger.Effects);
            var result = history.Single(e => e.Actor == Coder && e.Action == AiActions.ToolResult);
            Assert.True(result.GetPayload().GetProperty("ok").GetBoolean());
            Assert.Empty(history.Single(e => e.Actor == Coder && e.Action == AiActions.ToolCall).DependsOn);
        }
    }
}
