using System.Diagnostics;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Murmur.AI.Events;
using Murmur.AI.Providers;
using Murmur.AI.Scripted;
using Murmur.AI.Telemetry;
using Murmur.AI.Tools;
using Murmur.AgentFramework.Tests.Support;
using Murmur.Diagnostics;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Topics;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Murmur.AgentFramework.Tests;

/// <summary>Agent Framework's own ChatClientAgent running as a Murmur process.</summary>
public sealed class AgentFrameworkAgentTests : IDisposable
{
    private const string Id = "Researcher_Agent_3";
    private readonly TempTree _tree = new();
    private int _forecasts;

    public AgentFrameworkAgentTests() => _tree.Write("src/login.py", "log(auth_token)\n");

    public void Dispose() => _tree.Dispose();

    private AIFunction Forecast => AIFunctionFactory.Create((string city) =>
    {
        Interlocked.Increment(ref _forecasts);
        return $"sunny in {city}";
    }, "get_forecast", "The weather forecast for a city.");

    private static ScriptedChatClient ForecastScript() => ScriptedChatClient.FromJson("""
        [{"tool_calls":[{"tool":"get_forecast","args":{"city":"Oslo"}}]},
         {"when":{"tool_result_contains":"sunny"},"text":"It is sunny in Oslo."}]
        """);

    private static IReadOnlyList<AgentEvent> Own(Topic topic, string actor = Id) => [.. topic.History.Where(e => e.Actor == actor)];

    [Fact]
    public async Task AChatClientAgent_AnswersAMessageAddressedToIt_ItsFunctionToolCallIsRecorded_AndItsSessionPublished()
    {
        await using var node = await MurmurNode.StartAsync();
        var topic = await node.OpenTopicAsync("af-forecast");
        var agent = new ChatClientAgent(ForecastScript(), instructions: "Answer weather questions.", name: "Forecaster", tools: [Forecast]);
        await node.SpawnAsync(Id, agent, topic);
        var asker = await Puppet.JoinAsync(node, topic, "Asker");

        await asker.PublishAsync(Actions.Message, new { to = Id, text = "What is the weather in Oslo?" });
        await TopicWait.UntilAsync(topic, e => e.Action == AgentFrameworkActions.Session);

        var own = Own(topic);
        Assert.Equal([Actions.Join, AiActions.ToolCall, AiActions.ToolResult, Actions.Message, Actions.TaskComplete, AgentFrameworkActions.Session], own.Select(e => e.Action));
        var call = own[1].GetPayload();
        Assert.Equal("get_forecast", call.GetProperty("tool").GetString());
        Assert.Equal("Oslo", call.GetProperty("args").GetProperty("city").GetString());
        var result = own[2].GetPayload();
        Assert.True(result.GetProperty("ok").GetBoolean());
        Assert.Equal("sunny in Oslo", result.GetProperty("result").GetString());
        Assert.Equal(own[1].EventId, result.GetProperty("call_id").GetString());
        Assert.Equal("[scripted] It is sunny in Oslo.", own[3].GetPayload().GetProperty("text").GetString());
        Assert.Equal("done", own[4].GetPayload().GetProperty("status").GetString());
        var session = own[5].GetPayload();
        Assert.Equal("Forecaster", session.GetProperty("agent").GetString());
        Assert.Contains("What is the weather in Oslo?", session.GetProperty("session").GetRawText(), StringComparison.Ordinal);
        Assert.Equal(1, _forecasts);
    }

    [Fact]
    public async Task EventsNotAddressedToTheAgent_StartNothing_AndAGoalRunsOnce()
    {
        await using var node = await MurmurNode.StartAsync();
        var topic = await node.OpenTopicAsync("af-goal");
        var model = new RecordingChatClient((messages, n) => new ChatResponse(new ChatMessage(ChatRole.Assistant, $"answer {n}")));
        var agent = new ChatClientAgent(model, name: "Goaler");
        var asker = await Puppet.JoinAsync(node, topic, "Asker");
        await asker.PublishAsync(Actions.Message, new { to = "Someone_Else", text = "not for you" });
        await node.SpawnAsync(Id, agent, topic, new AgentFrameworkAgentOptions { Goal = "Say hello." });

        await TopicWait.UntilAsync(topic, e => e.Action == AgentFrameworkActions.Session);
        await asker.PublishAsync(Actions.Message, new { to = Id, text = "and now?" });
        var history = await TopicWait.UntilAsync(topic, e => e.Action == AgentFrameworkActions.Session && Own(topic).Count(o => o.Action == AgentFrameworkActions.Session) == 2);

        Assert.Equal(["answer 1", "answer 2"], Own(topic).Where(e => e.Action == Actions.Message).Select(e => e.GetPayload().GetProperty("text").GetString()));
        Assert.Equal(2, model.Requests.Count);
        Assert.DoesNotContain(model.Requests.SelectMany(r => r), m => m.Text.Contains("not for you", StringComparison.Ordinal));
        Assert.Contains(model.Requests[1], m => m.Text.Contains("and now?", StringComparison.Ordinal) && m.Text.Contains("from Asker", StringComparison.Ordinal));
        Assert.Contains(model.Requests[1], m => m.Text == "Say hello."); // the session carried the first turn
    }

    [Fact]
    public async Task NodeTools_InTheAllowList_AreOfferedAndRunCoLocated()
    {
        await using var node = await MurmurNode.StartAsync();
        node.Tools().Add(BuiltInTools.GrepSearch(_tree.Root));
        node.Tools().Add(BuiltInTools.ReadFile(_tree.Root));
        var topic = await node.OpenTopicAsync("af-node-tools");
        var model = ScriptedChatClient.FromJson("""
            [{"tool_calls":[{"tool":"grep_search","args":{"query":"auth_token","path":"src"}}]},
             {"when":{"tool_result_contains":"login.py"},"text":"auth_token is in src/login.py"}]
            """);
        ChatOptions? offered = null;
        var recording = new DelegatingProbe(model, o => offered ??= o);
        await node.SpawnAsync(Id, new ChatClientAgent(recording, name: "Searcher"), topic, new AgentFrameworkAgentOptions { Goal = "Where is auth_token?", AllowedTools = ["grep_search"] });

        await TopicWait.UntilAsync(topic, e => e.Action == Actions.TaskComplete);

        Assert.Equal(["grep_search"], offered!.Tools!.Select(t => t.Name)); // read_file is not in the allow-list
        var result = Own(topic).Single(e => e.Action == AiActions.ToolResult).GetPayload();
        Assert.Equal("local", result.GetProperty("locality").GetString());
        Assert.Contains("src/login.py", result.GetProperty("result").GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANodeToolServedByAnotherNode_RunsRemotely_ThroughTheLog()
    {
        var log = new InMemoryEventLog();
        await using var host = await MurmurNode.StartAsync(o => { o.UseLog(log); o.Options = o.Options with { NodeId = "host" }; });
        await using var here = await MurmurNode.StartAsync(o => { o.UseLog(log); o.Options = o.Options with { NodeId = "here" }; });
        host.Tools().Add(BuiltInTools.GrepSearch(_tree.Root));
        await using var hostMesh = await host.JoinToolMeshAsync();
        await using var hereMesh = await here.JoinToolMeshAsync();
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await hereMesh.WaitForToolAsync("grep_search", wait.Token);
        }
        var topic = await here.OpenTopicAsync("af-remote");
        var model = ScriptedChatClient.FromJson("""
            [{"tool_calls":[{"tool":"grep_search","args":{"query":"auth_token","path":"src"}}]},
             {"when":{"tool_result_contains":"login.py"},"text":"found remotely"}]
            """);
        await here.SpawnAsync(Id, new ChatClientAgent(model, name: "Remote"), topic, new AgentFrameworkAgentOptions { Goal = "Where is auth_token?", AllowedTools = ["grep_search"] });

        await TopicWait.UntilAsync(topic, e => e.Action == Actions.TaskComplete);

        var result = Own(topic).Single(e => e.Action == AiActions.ToolResult).GetPayload();
        Assert.Equal("remote", result.GetProperty("locality").GetString());
        Assert.Equal("host", result.GetProperty("host").GetString());
        Assert.Equal("[scripted] found remotely", Own(topic).Single(e => e.Action == Actions.Message).GetPayload().GetProperty("text").GetString());
    }

    [Fact]
    public async Task ARestartedNode_ResumesTheConversationFromTheLatestSession_AndRunsNothingTwice()
    {
        var log = new InMemoryEventLog();
        var first = new RecordingChatClient((messages, n) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "the first answer")));
        await using (var node = await MurmurNode.StartAsync(o => o.UseLog(log)))
        {
            var topic = await node.OpenTopicAsync("af-resume");
            await node.SpawnAsync(Id, new ChatClientAgent(first, name: "Memory"), topic);
            var asker = await Puppet.JoinAsync(node, topic, "Asker");
            await asker.PublishAsync(Actions.Message, new { to = Id, text = "remember the word 'heron'" });
            await TopicWait.UntilAsync(topic, e => e.Action == AgentFrameworkActions.Session);
        }

        var second = new RecordingChatClient((messages, n) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "the second answer")));
        await using (var node = await MurmurNode.StartAsync(o => o.UseLog(log)))
        {
            var topic = await node.OpenTopicAsync("af-resume");
            await node.SpawnAsync(Id, new ChatClientAgent(second, name: "Memory"), topic);
            var asker = await Puppet.JoinAsync(node, topic, "Asker");
            await asker.PublishAsync(Actions.Message, new { to = Id, text = "which word?" });
            await TopicWait.UntilAsync(topic, e => e.Action == Actions.Message && e.Actor == Id && e.GetPayload().GetProperty("text").GetString() == "the second answer");
            await TopicWait.UntilAsync(topic, e => e.Action == AgentFrameworkActions.Session && Own(topic).Count(o => o.Action == AgentFrameworkActions.Session) == 2);

            Assert.Single(first.Requests);
            var request = Assert.Single(second.Requests); // the first question was not run again
            Assert.Contains(request, m => m.Role == ChatRole.User && m.Text.Contains("heron", StringComparison.Ordinal));
            Assert.Contains(request, m => m.Role == ChatRole.Assistant && m.Text == "the first answer");
            Assert.Contains(request, m => m.Text.Contains("which word?", StringComparison.Ordinal));
            Assert.Equal(2, Own(topic).Count(e => e.Action == Actions.Message));
        }
    }

    [Fact]
    public async Task ASessionTheNodeNoLongerKeeps_IsReadBackFromTheLog_OnRestart()
    {
        var log = new InMemoryEventLog();
        void Small(MurmurNodeBuilder o)
        {
            o.UseLog(log);
            o.Options = o.Options with { History = new HistoryOptions { MaxEvents = 8 } };
        }
        var first = new RecordingChatClient((messages, n) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "noted")));
        await using (var node = await MurmurNode.StartAsync(Small))
        {
            var topic = await node.OpenTopicAsync("af-trimmed");
            await node.SpawnAsync(Id, new ChatClientAgent(first, name: "Memory"), topic);
            var asker = await Puppet.JoinAsync(node, topic, "Asker");
            await asker.PublishAsync(Actions.Message, new { to = Id, text = "remember the word 'osprey'" });
            await TopicWait.UntilAsync(topic, e => e.Action == AgentFrameworkActions.Session);
            for (var i = 0; i < 20; i++)
            {
                await asker.PublishAsync("NOISE", new { i }); // pushes the session out of the node's window
            }
            await TopicWait.UntilAsync(topic, e => e.Action == "NOISE" && e.GetPayload().GetProperty("i").GetInt32() == 19);
        }

        var second = new RecordingChatClient((messages, n) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "osprey")));
        await using (var node = await MurmurNode.StartAsync(Small))
        {
            var topic = await node.OpenTopicAsync("af-trimmed");
            await topic.CatchUpAsync();
            Assert.True(topic.Trimmed > 0);
            Assert.DoesNotContain(topic.History, e => e.Action == AgentFrameworkActions.Session); // only the log has it
            await node.SpawnAsync(Id, new ChatClientAgent(second, name: "Memory"), topic);
            var asker = await Puppet.JoinAsync(node, topic, "Asker");
            await asker.PublishAsync(Actions.Message, new { to = Id, text = "which word?" });
            await TopicWait.UntilAsync(topic, e => e.Action == Actions.Message && e.Actor == Id && e.GetPayload().GetProperty("text").GetString() == "osprey");

            var request = Assert.Single(second.Requests);
            Assert.Contains(request, m => m.Text.Contains("osprey", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task AModelFailure_CrashesTheProcess_ItsSupervisorRestartsIt_AndTheInputIsAnsweredOnce()
    {
        await using var node = await MurmurNode.StartAsync();
        var topic = await node.OpenTopicAsync("af-crash");
        var model = new RecordingChatClient((messages, n) => n == 1 ? throw new HttpRequestException("the model is down") : new ChatResponse(new ChatMessage(ChatRole.Assistant, "recovered")));
        await node.SpawnAsync(Id, new ChatClientAgent(model, name: "Fragile"), topic);
        var asker = await Puppet.JoinAsync(node, topic, "Asker");

        await asker.PublishAsync(Actions.Message, new { to = Id, text = "are you there?" });
        await TopicWait.UntilAsync(topic, e => e.Action == AgentFrameworkActions.Session);

        Assert.Equal(2, model.Requests.Count);
        Assert.Equal("recovered", Own(topic).Single(e => e.Action == Actions.Message).GetPayload().GetProperty("text").GetString());
    }

    [Fact]
    public async Task OverAnOpenAICompatibleServer_MockLlmFromNpm_TheToolRoundTripWorks()
    {
        await using var server = await NodeServer.MockLlmAsync(Path.Combine(AppContext.BaseDirectory, "Data", "mock-llm.yaml"));
        using var client = ChatClientFactory.Create("openai:mock-model", $"http://127.0.0.1:{server.Port}/v1", "MURMUR_AF_TESTS_KEY",
            new ChatClientFactoryOptions { MaxRetries = 0, GetEnvironmentVariable = _ => "sk-test" });
        await using var node = await MurmurNode.StartAsync();
        var topic = await node.OpenTopicAsync("af-openai");
        await node.SpawnAsync(Id, new ChatClientAgent(client, name: "Forecaster", tools: [Forecast]), topic, new AgentFrameworkAgentOptions { Goal = "Weather in Oslo?" });

        await TopicWait.UntilAsync(topic, e => e.Action == AgentFrameworkActions.Session);

        var own = Own(topic);
        Assert.Equal([Actions.Join, AiActions.ToolCall, AiActions.ToolResult, Actions.Message, Actions.TaskComplete, AgentFrameworkActions.Session], own.Select(e => e.Action));
        Assert.Equal("Oslo", own[1].GetPayload().GetProperty("args").GetProperty("city").GetString());
        Assert.Equal("mock-llm: the forecast tool says it is sunny in Oslo", own[3].GetPayload().GetProperty("text").GetString());
        Assert.Equal(1, _forecasts);
    }

    [Fact]
    public async Task ARun_IsAnInvokeAgentSpan_WithTheToolCallInside()
    {
        var spans = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(MurmurDiagnostics.Name).AddInMemoryExporter(spans).Build())
        {
            await using var node = await MurmurNode.StartAsync();
            var topic = await node.OpenTopicAsync("af-telemetry");
            await node.SpawnAsync("Traced_AF_Agent", new ChatClientAgent(ForecastScript(), name: "Forecaster", tools: [Forecast]), topic, new AgentFrameworkAgentOptions { Goal = "Weather?" });
            await TopicWait.UntilAsync(topic, e => e.Action == AgentFrameworkActions.Session);
            tracing.ForceFlush();
        }

        var invoke = Assert.Single(spans, s => s.DisplayName == "invoke_agent Forecaster" && (string?)s.GetTagItem(AiDiagnostics.GenAi.AgentId) == "Traced_AF_Agent");
        Assert.Equal("af-telemetry", invoke.GetTagItem(AiDiagnostics.GenAi.ConversationId));
        Assert.Equal("invoke_agent", invoke.GetTagItem(AiDiagnostics.GenAi.OperationName));
        // Murmur's span (the one with murmur.actor and the TOOL_CALL's event id); Microsoft.Extensions.AI's function
        // invoker may add one of its own for the same call.
        var tool = Assert.Single(spans, s => s.DisplayName == "execute_tool get_forecast" && s.TraceId == invoke.TraceId && s.GetTagItem(MurmurDiagnostics.Tags.Actor) is not null);
        Assert.Equal("get_forecast", tool.GetTagItem(AiDiagnostics.GenAi.ToolName));
        Assert.StartsWith("evt_", (string?)tool.GetTagItem(AiDiagnostics.GenAi.ToolCallId), StringComparison.Ordinal);
        Assert.True(IsDescendant(tool, invoke, spans));
    }

    private static bool IsDescendant(Activity span, Activity ancestor, IReadOnlyList<Activity> all)
    {
        for (var current = span; current is not null; current = all.FirstOrDefault(s => s.SpanId == current.ParentSpanId))
        {
            if (current.ParentSpanId == ancestor.SpanId)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Passes calls through and shows the test the options of each.</summary>
    private sealed class DelegatingProbe(IChatClient inner, Action<ChatOptions?> seen) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            seen(options);
            return base.GetResponseAsync(messages, options, cancellationToken);
        }
    }
}
