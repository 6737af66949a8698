using System.ClientModel;
using Microsoft.Extensions.AI;
using Murmur.AI.Tests.Support;
using Murmur.AI.Tools;
using static Murmur.AI.Tests.Support.FakeOpenAIServer;
using Murmur.AI.Events;
using Murmur.AI.Agents;
using Murmur.AI.Providers;
using Murmur.Events;

namespace Murmur.AI.Tests.Providers;

public sealed class OpenAIProtocolTests : IDisposable
{
    private const string KeyVariable = "MURMUR_AI_TESTS_FAKE_KEY";
    private static readonly ChatClientFactoryOptions Fast = new()
    {
        MaxRetries = 2,
        RetryDelay = TimeSpan.FromMilliseconds(1),
        GetEnvironmentVariable = name => name == KeyVariable ? "sk-test" : null,
    };

    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task LlmAgent_OnAnOpenAIEndpoint_RunsTheRequestedTool_AndPublishesTheFinalText()
    {
        _tree.Write("login.py", "log(auth_token)\n");
        await using var server = new FakeOpenAIServer();
        server.Enqueue(FakeOpenAIServer.Json(Completion("""{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"grep_search","arguments":"{\"query\":\"auth_token\",\"path\":\".\"}"}}]}""", "tool_calls")));
        server.Enqueue(FakeOpenAIServer.Json(Completion("""{"role":"assistant","content":"auth_token is logged in login.py"}""", "stop")));
        using var client = ChatClientFactory.Create("openai:test-model", server.Endpoint, KeyVariable, Fast);

        await using var node = await MurmurNode.StartAsync();
        node.Tools().Add(BuiltInTools.GrepSearch(_tree.Root));
        var topic = await node.OpenTopicAsync("openai");
        await node.SpawnAsync("Agent", () => new LlmAgent(client, node.Tools(), new LlmAgentOptions { Goal = "find auth_token", AllowedTools = ["grep_search"] }), topic);
        var history = await TopicWait.UntilAsync(topic, e => e.Action == Actions.TaskComplete);

        Assert.Equal([Actions.Join, AiActions.ToolCall, AiActions.ToolResult, Actions.Message, Actions.TaskComplete], history.Select(e => e.Action));
        Assert.Equal("auth_token is logged in login.py", history[3].GetPayload().GetProperty("text").GetString());
        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Contains("\"grep_search\"", requests[0], StringComparison.Ordinal); // offered as a tool
        Assert.Contains("\"tool_call_id\":\"call_1\"", requests[1], StringComparison.Ordinal);
        Assert.Contains("login.py", requests[1], StringComparison.Ordinal); // the tool result went back to the model
    }

    [Fact]
    public async Task Streaming_ServerSentEvents_AreAssembled()
    {
        await using var server = new FakeOpenAIServer();
        server.Enqueue(Sse(Chunk("""{"role":"assistant","content":"Hel"}"""), Chunk("""{"content":"lo"}"""), Chunk("{}", "stop")));
        using var client = ChatClientFactory.Create("openai:test-model", server.Endpoint, KeyVariable, Fast);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]))
        {
            updates.Add(update);
        }
        Assert.Equal("Hello", updates.ToChatResponse().Text);
        Assert.Contains("\"stream\":true", server.Requests.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TooManyRequests_IsRetried()
    {
        await using var server = new FakeOpenAIServer();
        server.Enqueue(FakeOpenAIServer.Json("""{"error":{"message":"slow down"}}""", 429));
        server.Enqueue(FakeOpenAIServer.Json(Completion("""{"role":"assistant","content":"ok"}""", "stop")));
        using var client = ChatClientFactory.Create("openai:test-model", server.Endpoint, KeyVariable, Fast);
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);
        Assert.Equal("ok", response.Text);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task ServerError_IsSurfacedAfterTheRetries()
    {
        await using var server = new FakeOpenAIServer { Fallback = FakeOpenAIServer.Json("""{"error":{"message":"boom"}}""", 500) };
        using var client = ChatClientFactory.Create("openai:test-model", server.Endpoint, KeyVariable, Fast);
        var ex = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]));
        Assert.Equal(500, ex.Status);
        Assert.Equal(3, server.Requests.Count); // one try and two retries
    }

    [Fact]
    public void Factory_ExplainsUnknownProvidersAndMissingKeys()
    {
        Assert.Contains("Unknown model provider 'gemini'", Assert.Throws<ArgumentException>(() => ChatClientFactory.Create("gemini:pro")).Message, StringComparison.Ordinal);
        Assert.Contains("'provider:model'", Assert.Throws<ArgumentException>(() => ChatClientFactory.Create("gpt-4o")).Message, StringComparison.Ordinal);
        var missing = Assert.Throws<InvalidOperationException>(() => ChatClientFactory.Create("openai:gpt-4o-mini", null, "MURMUR_NO_SUCH_KEY", Fast));
        Assert.Contains("MURMUR_NO_SUCH_KEY", missing.Message, StringComparison.Ordinal);
        Assert.IsType<Murmur.AI.Scripted.ScriptException>(Assert.ThrowsAny<Exception>(() => ChatClientFactory.Create("scripted:" + _tree.Write("bad.json", "[{}]"))));
        Assert.NotNull(ChatClientFactory.Create("ollama:llama3.2").GetService<IChatClient>());
    }
}
