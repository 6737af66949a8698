using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Agents.AI.Workflows;
using Microsoft.Extensions.AI;
using Murmur.AI.Agents;
using Murmur.AI.Events;
using Murmur.AI.Scripted;
using Murmur.AI.Tools;
using Murmur.AgentFramework.Tests.Support;
using Murmur.Events;
using Murmur.Topics;

namespace Murmur.AgentFramework.Tests;

/// <summary>A Murmur topic as an Agent Framework agent: runs hand work to agents on a mesh.</summary>
public sealed class MurmurTopicAgentTests : IDisposable
{
    private readonly TempTree _tree = new();

    public MurmurTopicAgentTests() => _tree.Write("src/login.py", "log(auth_token)\n");

    public void Dispose() => _tree.Dispose();

    /// <summary>Starts the task: a scripted LlmAgent, Coder, that greps and answers.</summary>
    private Func<MurmurNode, Topic, CancellationToken, Task> SpawnCoder(Func<int>? counter = null) => async (node, topic, ct) =>
    {
        counter?.Invoke();
        var model = ScriptedChatClient.FromJson("""
            [{"tool_calls":[{"tool":"grep_search","args":{"query":"auth_token","path":"src"}}]},
             {"when":{"tool_result_contains":"login.py"},"text":"auth_token is logged in src/login.py"}]
            """);
        await node.SpawnAsync("Coder", () => new LlmAgent(model, node.Tools(), new LlmAgentOptions { AllowedTools = ["grep_search"], ReactToFindings = false }), topic, cancellationToken: ct);
    };

    [Fact]
    public async Task RunAsync_StartsTheTaskOnTheMesh_AndReturnsWhatItsAgentsSaid()
    {
        await using var node = await MurmurNode.StartAsync();
        node.Tools().Add(BuiltInTools.GrepSearch(_tree.Root));
        var agent = new MurmurTopicAgent(node, new MurmurTopicAgentOptions { Name = "Mesh", To = "Coder", StartTask = SpawnCoder() });

        var response = await agent.RunAsync("Where is auth_token logged?");

        Assert.Equal("[scripted] auth_token is logged in src/login.py", response.Text);
        Assert.All(response.Messages, m => Assert.Equal("Coder", m.AuthorName));
        var session = Assert.IsType<MurmurTopicSession>(await agent.CreateSessionAsync()); // a new session is a new topic
        Assert.StartsWith("task-", session.Topic, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunStreamingAsync_StreamsTheTopicsEventsAsUpdates_AndEndsAtTheTaskComplete()
    {
        await using var node = await MurmurNode.StartAsync();
        node.Tools().Add(BuiltInTools.GrepSearch(_tree.Root));
        var agent = new MurmurTopicAgent(node, new MurmurTopicAgentOptions { Name = "Mesh", Topic = "stream-task", To = "Coder", StartTask = SpawnCoder() });

        var updates = new List<AgentResponseUpdate>();
        await foreach (var update in agent.RunStreamingAsync("Where is auth_token logged?"))
        {
            updates.Add(update);
        }

        var events = updates.Select(u => Assert.IsType<AgentEvent>(u.RawRepresentation)).ToList();
        // StartTask spawned Coder after the run began, so its JOIN is streamed too.
        Assert.Equal([Actions.Join, AiActions.ToolCall, AiActions.ToolResult, Actions.Message, Actions.TaskComplete], events.Where(e => e.Actor == "Coder").Select(e => e.Action));
        Assert.Equal(Actions.TaskComplete, events[^1].Action);
        Assert.All(updates, u => Assert.Equal(u.AuthorName, ((AgentEvent)u.RawRepresentation!).Actor));
        Assert.Equal(AiActions.ToolCall, updates.First(u => u.AuthorName == "Coder" && u.AdditionalProperties!["murmur.action"] is not Actions.Join).AdditionalProperties!["murmur.action"]);
    }

    [Fact]
    public async Task ASession_KeepsItsTopic_ThroughSerialization_AndTheTaskStartsOncePerSession()
    {
        await using var node = await MurmurNode.StartAsync();
        var starts = 0;
        var model = new RecordingChatClient((messages, n) => new ChatResponse(new ChatMessage(ChatRole.Assistant, $"reply {n}")));
        var agent = new MurmurTopicAgent(node, new MurmurTopicAgentOptions
        {
            Name = "Chat",
            To = "Replier",
            StartTask = (n, topic, ct) =>
            {
                starts++;
                return n.SpawnAsync("Replier", () => new LlmAgent(model, n.Tools(), new LlmAgentOptions { EnableReportFinding = false }), topic, cancellationToken: ct);
            },
        });
        var session = await agent.CreateSessionAsync();
        var first = await agent.RunAsync("one", session);

        var saved = await agent.SerializeSessionAsync(session);
        var restored = await agent.DeserializeSessionAsync(saved);
        var second = await agent.RunAsync("two", restored);

        Assert.Equal("reply 1", first.Text);
        Assert.Equal("reply 2", second.Text); // not the earlier TASK_COMPLETE: the end must follow the request causally
        Assert.Equal(1, starts);
        Assert.Equal(((MurmurTopicSession)session).Topic, ((MurmurTopicSession)restored).Topic);
        await Assert.ThrowsAsync<JsonException>(async () => await agent.DeserializeSessionAsync(JsonSerializer.SerializeToElement(new { topic = "bad..name" })));
    }

    [Fact]
    public async Task NoAnswerWithinTheTimeout_IsATimeoutException_NamingTheTopic()
    {
        await using var node = await MurmurNode.StartAsync();
        var agent = new MurmurTopicAgent(node, new MurmurTopicAgentOptions { Name = "Silent", Topic = "silent-task", To = "Nobody", Timeout = TimeSpan.FromMilliseconds(200) });

        var ex = await Assert.ThrowsAsync<TimeoutException>(() => agent.RunAsync("anyone?"));

        Assert.Contains("silent-task", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAgentFrameworkWorkflow_HandsWorkToTheMesh_AndGetsItsAnswer()
    {
        await using var node = await MurmurNode.StartAsync();
        node.Tools().Add(BuiltInTools.GrepSearch(_tree.Root));
        var planner = new ChatClientAgent(new RecordingChatClient((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "Plan: find where auth_token is logged."))), name: "Planner");
        var mesh = new MurmurTopicAgent(node, new MurmurTopicAgentOptions { Name = "Mesh", To = "Coder", StartTask = SpawnCoder() });
        var workflow = AgentWorkflowBuilder.BuildSequential(planner, mesh);

        List<ChatMessage>? output = null;
        await using (var run = await InProcessExecution.RunStreamingAsync(workflow, new List<ChatMessage> { new(ChatRole.User, "Audit the login code.") }))
        {
            await run.TrySendMessageAsync(new TurnToken(emitEvents: true));
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await foreach (var evt in run.WatchStreamAsync(patience.Token))
            {
                // Agent updates are outputs too (AgentResponseUpdateEvent); the workflow's result is the message list.
                if (evt is WorkflowOutputEvent done && done.As<List<ChatMessage>>() is { } messages)
                {
                    output = messages;
                    break;
                }
            }
        }

        Assert.NotNull(output);
        Assert.Contains(output, m => m.Text == "[scripted] auth_token is logged in src/login.py" && m.AuthorName == "Coder");
        Assert.Contains(output, m => m.Text.StartsWith("Plan:", StringComparison.Ordinal));
    }
}
