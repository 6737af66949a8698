using System.Diagnostics;
using Murmur.AI.Scripted;
using Murmur.AI.Telemetry;
using Murmur.AI.Tests.Support;
using Murmur.AI.Tools;
using OpenTelemetry;
using OpenTelemetry.Trace;
using GenAi = Murmur.AI.Telemetry.AiDiagnostics.GenAi;
using Murmur.AI.Events;
using Murmur.AI.Agents;
using Murmur.Diagnostics;
using Murmur.Events;
using Murmur.Logs;

namespace Murmur.AI.Tests.Agents;

/// <summary>The OpenTelemetry GenAI semantic conventions on an LlmAgent's spans, exported by the OpenTelemetry SDK.</summary>
public sealed class GenAiConventionsTests : IDisposable
{
    private readonly TempTree _tree = new();

    public GenAiConventionsTests() => _tree.Write("src/login.py", "log(auth_token)\n");

    public void Dispose() => _tree.Dispose();

    private static string? Tag(Activity span, string key) => span.GetTagItem(key)?.ToString();

    [Fact]
    public async Task ATaskFromAnotherNode_InvokeAgentChatAndExecuteTool_FollowTheTraceWithTheirAttributes()
    {
        var spans = new List<Activity>();
        string topicName = "genai-trace", agent = "GenAi_Agent_1";
        AgentEvent ask, call;
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(MurmurDiagnostics.Name).AddInMemoryExporter(spans).Build())
        {
            var log = new InMemoryEventLog();
            await using (var one = await MurmurNode.StartAsync(o => { o.UseLog(log); o.Options = o.Options with { NodeId = "node-1" }; }))
            await using (var two = await MurmurNode.StartAsync(o => { o.UseLog(log); o.Options = o.Options with { NodeId = "node-2" }; }))
            {
                two.Tools().Add(BuiltInTools.GrepSearch(_tree.Root));
                var engine = ScriptedChatClient.FromJson("""
                    [{"when":{"seen_action":"MESSAGE"},"tool_calls":[{"tool":"grep_search","args":{"query":"auth_token","path":"src"}}]},
                     {"when":{"tool_result_contains":"login.py"},"text":"found it"}]
                    """);
                var topicTwo = await two.OpenTopicAsync(topicName);
                await two.SpawnAsync(agent, () => new LlmAgent(engine, two.Tools(), new LlmAgentOptions { AllowedTools = ["grep_search"] }), topicTwo);
                var topicOne = await one.OpenTopicAsync(topicName);
                var asker = await Puppet.JoinAsync(one, topicOne, "GenAi_Asker");
                ask = await asker.PublishAsync(Actions.Message, new { to = agent, text = "find auth_token" });
                await TopicWait.UntilAsync(topicTwo, e => e.Action == Actions.TaskComplete && e.Actor == agent);
                call = topicTwo.History.Single(e => e.Action == AiActions.ToolCall);
            }
            tracing.ForceFlush();
        }

        var traceId = ActivityContext.Parse(ask.TraceParent!, null).TraceId;
        var trace = spans.Where(s => s.TraceId == traceId).ToList();
        var invoke = Assert.Single(trace, s => s.DisplayName == "invoke_agent " + agent);
        Assert.Equal(ActivityKind.Internal, invoke.Kind);
        Assert.Equal("invoke_agent", Tag(invoke, GenAi.OperationName));
        Assert.Equal(agent, Tag(invoke, GenAi.AgentId));
        Assert.Equal(agent, Tag(invoke, GenAi.AgentName));
        Assert.Equal(topicName, Tag(invoke, GenAi.ConversationId));
        Assert.Equal("scripted", Tag(invoke, GenAi.ProviderName));
        var handle = Assert.Single(trace, s => s.SpanId == invoke.ParentSpanId);
        Assert.Equal("handle", handle.DisplayName); // the task runs in the turn that handled the message from node-1

        var chats = trace.Where(s => s.DisplayName == "chat scripted").ToList();
        Assert.Equal(2, chats.Count);
        Assert.All(chats, c =>
        {
            Assert.Equal(ActivityKind.Client, c.Kind);
            Assert.Equal(invoke.SpanId, c.ParentSpanId);
            Assert.Equal("chat", Tag(c, GenAi.OperationName));
            Assert.Equal("scripted", Tag(c, GenAi.ProviderName));
            Assert.Equal("scripted", Tag(c, GenAi.RequestModel));
            Assert.Equal(topicName, Tag(c, GenAi.ConversationId));
            Assert.NotNull(Tag(c, GenAi.UsageInputTokens));
            Assert.NotNull(Tag(c, GenAi.UsageOutputTokens));
            Assert.Null(c.GetTagItem(GenAi.InputMessages)); // contents only when opted in
            Assert.Null(c.GetTagItem(GenAi.OutputMessages));
        });
        var tool = Assert.Single(trace, s => s.DisplayName == "execute_tool grep_search");
        Assert.Equal(invoke.SpanId, tool.ParentSpanId);
        Assert.Equal("execute_tool", Tag(tool, GenAi.OperationName));
        Assert.Equal("grep_search", Tag(tool, GenAi.ToolName));
        Assert.Equal("function", Tag(tool, GenAi.ToolType));
        Assert.Equal(call.EventId, Tag(tool, GenAi.ToolCallId));
        Assert.Null(tool.GetTagItem(GenAi.ToolCallArguments));
        Assert.Equal(ActivityStatusCode.Unset, tool.Status);
        // Murmur's own spans are still there, in the same trace.
        Assert.Contains(trace, s => s.DisplayName == "publish TOOL_RESULT" && s.ParentSpanId == tool.SpanId);
        Assert.Contains(trace, s => s.DisplayName == "deliver");
    }

    [Fact]
    public async Task ContentsOptedIn_MessagesAndToolArgumentsAreOnTheSpans_AndARefusedToolHasAnErrorType()
    {
        var spans = new List<Activity>();
        const string agent = "GenAi_Agent_2";
        AiDiagnostics.CaptureMessageContent = true;
        try
        {
            using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(MurmurDiagnostics.Name).AddInMemoryExporter(spans).Build();
            await using (var node = await MurmurNode.StartAsync())
            {
                node.Tools().Add(BuiltInTools.GrepSearch(_tree.Root));
                node.Tools().Add(BuiltInTools.ReadFile(_tree.Root));
                var engine = ScriptedChatClient.FromJson("""
                    [{"tool_calls":[{"tool":"grep_search","args":{"query":"auth_token","path":"src"}},{"tool":"read_file","args":{"path":"src/login.py"}}]},
                     {"text":"done"}]
                    """);
                var topic = await node.OpenTopicAsync("genai-content");
                await node.SpawnAsync(agent, () => new LlmAgent(engine, node.Tools(), new LlmAgentOptions { Goal = "find the token", AllowedTools = ["grep_search"] }), topic);
                await TopicWait.UntilAsync(topic, e => e.Action == Actions.TaskComplete);
            }
            tracing.ForceFlush();
        }
        finally
        {
            AiDiagnostics.CaptureMessageContent = false;
        }

        var mine = spans.Where(s => Tag(s, MurmurDiagnostics.Tags.Actor) == agent).ToList();
        var firstChat = mine.First(s => s.DisplayName == "chat scripted");
        Assert.Contains("find the token", Tag(firstChat, GenAi.InputMessages), StringComparison.Ordinal);
        Assert.Contains("\"type\":\"tool_call\"", Tag(firstChat, GenAi.OutputMessages), StringComparison.Ordinal);
        var grep = Assert.Single(mine, s => s.DisplayName == "execute_tool grep_search");
        Assert.Contains("auth_token", Tag(grep, GenAi.ToolCallArguments), StringComparison.Ordinal);
        Assert.Contains("login.py", Tag(grep, GenAi.ToolCallResult), StringComparison.Ordinal);
        var refused = Assert.Single(mine, s => s.DisplayName == "execute_tool read_file");
        Assert.Equal(ActivityStatusCode.Error, refused.Status);
        Assert.Equal("murmur.tool_refused", Tag(refused, GenAi.ErrorType));
        Assert.Contains("allow-list", Tag(refused, GenAi.ToolCallResult), StringComparison.Ordinal);
        Assert.Single(mine, s => s.DisplayName == "invoke_agent " + agent);
    }
}
