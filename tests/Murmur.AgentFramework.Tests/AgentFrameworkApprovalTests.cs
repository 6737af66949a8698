using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Murmur.AI.Approvals;
using Murmur.AI.Events;
using Murmur.AI.Scripted;
using Murmur.Events;
using Murmur.Logs;

namespace Murmur.AgentFramework.Tests;

/// <summary>Agent Framework's tool approval requests and responses, decided through Murmur's approvals topic.</summary>
public sealed class AgentFrameworkApprovalTests
{
    private const string Id = "Forecaster_1";
    private int _forecasts;

#pragma warning disable MEAI001 // ApprovalRequiredAIFunction is marked experimental by Microsoft.Extensions.AI
    private AITool Forecast => new ApprovalRequiredAIFunction(AIFunctionFactory.Create((string city) =>
    {
        Interlocked.Increment(ref _forecasts);
        return $"sunny in {city}";
    }, "get_forecast", "The weather forecast for a city."));
#pragma warning restore MEAI001

    [Fact]
    public async Task AnApprovalRequestOfTheAgent_WaitsInTheApprovalsTopic_AndTheToolRunsOnceAfterApproval()
    {
        var log = new InMemoryEventLog();
        await using var node = await MurmurNode.StartAsync(o => { o.UseInMemoryLog(log); o.Options = o.Options with { NodeId = "af-node" }; });
        await using var desk = await node.StartApprovalDeskAsync(new ApprovalOptions { Approvers = ["alice"] });
        var topic = await node.OpenTopicAsync("af-approvals");
        var model = ScriptedChatClient.FromJson("""
            [{"tool_calls":[{"tool":"get_forecast","args":{"city":"Oslo"}}]},
             {"when":{"tool_result_contains":"sunny"},"text":"It is sunny in Oslo."}]
            """);
        await node.SpawnAsync(Id, new ChatClientAgent(model, name: "Forecaster", tools: [Forecast]), topic, new AgentFrameworkAgentOptions { Approvals = desk });
        var asker = await Puppet.JoinAsync(node, topic, "Asker");
        await asker.PublishAsync(Actions.Message, new { to = Id, text = "What is the weather in Oslo?" });

        var requested = await TopicWait.UntilAsync(topic, e => e.Action == ApprovalActions.Requested);
        var callId = requested.Single(e => e.Action == ApprovalActions.Requested).GetPayload().GetProperty("call_id").GetString()!;
        await desk.WaitForRequestAsync(callId).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, _forecasts);
        Assert.Equal("get_forecast", desk.RequestOf(callId)!.Tool);
        Assert.Equal("Oslo", desk.RequestOf(callId)!.Arguments.GetProperty("city").GetString());
        await using (var alice = await ApprovalDesk.StartAsync(log, "alice", new ApprovalOptions { Approvers = ["alice"] }))
        {
            await alice.ApproveAsync(callId, "fine");
        }
        var history = await TopicWait.UntilAsync(topic, e => e.Action == AgentFrameworkActions.Session);

        Assert.Equal(1, _forecasts);
        Assert.Equal(
            [Actions.Join, ApprovalActions.Requested, ApprovalActions.Approved, AiActions.ToolCall, AiActions.ToolResult, Actions.Message, Actions.TaskComplete, AgentFrameworkActions.Session],
            history.Where(e => e.Actor == Id).Select(e => e.Action));
        Assert.Equal("[scripted] It is sunny in Oslo.", history.Single(e => e.Actor == Id && e.Action == Actions.Message).GetPayload().GetProperty("text").GetString());
    }

    [Fact]
    public async Task AnAgentRestartedWhileItsRequestWaits_AsksUnderTheSameCallId_AndTheToolRunsOnceAfterApproval()
    {
        const string Script = """
            [{"tool_calls":[{"tool":"get_forecast","args":{"city":"Oslo"}}]},
             {"when":{"tool_result_contains":"sunny"},"text":"It is sunny in Oslo."}]
            """;
        var log = new InMemoryEventLog();
        var approvals = new ApprovalOptions { Approvers = ["alice"] };
        var node = await MurmurNode.StartAsync(o => { o.UseInMemoryLog(log); o.Options = o.Options with { NodeId = "af-node" }; });
        var desk = await node.StartApprovalDeskAsync(approvals);
        var topic = await node.OpenTopicAsync("af-restart");
        await node.SpawnAsync(Id, new ChatClientAgent(ScriptedChatClient.FromJson(Script), name: "Forecaster", tools: [Forecast]), topic, new AgentFrameworkAgentOptions { Approvals = desk });
        var asker = await Puppet.JoinAsync(node, topic, "Asker");
        await asker.PublishAsync(Actions.Message, new { to = Id, text = "What is the weather in Oslo?" });
        var requested = await TopicWait.UntilAsync(topic, e => e.Action == ApprovalActions.Requested);
        var callId = requested.Single(e => e.Action == ApprovalActions.Requested).GetPayload().GetProperty("call_id").GetString()!;
        await desk.WaitForRequestAsync(callId).WaitAsync(TimeSpan.FromSeconds(30));
        // The node stops while the request waits.
        await node.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        await desk.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        // The node comes back under the same id; the agent runs the same input again and finds its request.
        await using var again = await MurmurNode.StartAsync(o => { o.UseInMemoryLog(log); o.Options = o.Options with { NodeId = "af-node" }; });
        await using var desk2 = await again.StartApprovalDeskAsync(approvals);
        var topic2 = await again.OpenTopicAsync("af-restart");
        await again.SpawnAsync(Id, new ChatClientAgent(ScriptedChatClient.FromJson(Script), name: "Forecaster", tools: [Forecast]), topic2, new AgentFrameworkAgentOptions { Approvals = desk2 });
        await using (var alice = await ApprovalDesk.StartAsync(log, "alice", approvals).WaitAsync(TimeSpan.FromSeconds(30)))
        {
            await alice.ApproveAsync(callId, "fine").WaitAsync(TimeSpan.FromSeconds(30));
        }
        var history = await TopicWait.UntilAsync(topic2, e => e.Action == AgentFrameworkActions.Session);

        Assert.Equal(1, _forecasts);
        var requests = history.Where(e => e.Actor == Id && e.Action == ApprovalActions.Requested).ToList();
        Assert.Equal(callId, Assert.Single(requests).GetPayload().GetProperty("call_id").GetString());
        Assert.Empty(desk2.Pending);
        Assert.Equal(callId, history.Single(e => e.Actor == Id && e.Action == ApprovalActions.Approved).GetPayload().GetProperty("call_id").GetString());
    }
}
