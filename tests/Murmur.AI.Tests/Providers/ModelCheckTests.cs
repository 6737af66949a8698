using System.Net;
using System.Net.Sockets;
using Murmur.AI.Providers;
using Murmur.AI.Tests.Support;
using Murmur.Mcp.Tests.Support;
using static Murmur.AI.Tests.Support.FakeOpenAIServer;

namespace Murmur.AI.Tests.Providers;

/// <summary>A wrong endpoint, key or model is one clear error within seconds, naming the endpoint.</summary>
public sealed class ModelCheckTests
{
    private const string KeyVariable = "MURMUR_AI_TESTS_FAKE_KEY";
    private static readonly ChatClientFactoryOptions Env = new() { GetEnvironmentVariable = name => name == KeyVariable ? "sk-test" : null };
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(2);

    private static Task<ModelCheckResult?> CheckAsync(string endpoint, string model = "test-model")
        => ModelCheck.CheckAsync("openai:" + model, endpoint, KeyVariable, Short, Env);

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    [Fact]
    public async Task ARefusedConnection_IsUnreachable_NamingTheEndpoint()
    {
        var endpoint = $"http://127.0.0.1:{FreePort()}/v1";
        var error = await Assert.ThrowsAsync<ModelEndpointException>(() => CheckAsync(endpoint));

        Assert.Equal(ModelProblem.Unreachable, error.Problem);
        Assert.Equal(endpoint, error.Endpoint);
        Assert.Contains($"model endpoint {endpoint} is unreachable", error.Message, StringComparison.Ordinal);
        Assert.Contains("refused", error.Message, StringComparison.Ordinal);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task AnOllamaEndpointThatIsDown_SaysToStartOllama()
    {
        var endpoint = $"http://127.0.0.1:{FreePort()}";
        var error = await Assert.ThrowsAsync<ModelEndpointException>(() => ModelCheck.CheckAsync("ollama:llama3.2", endpoint, timeout: Short));

        Assert.Equal(ModelProblem.Unreachable, error.Problem);
        Assert.Contains("is 'ollama serve' running?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A401_IsUnauthorized_AndNotTransient()
    {
        await using var server = new FakeOpenAIServer();
        server.Enqueue(FakeOpenAIServer.Json("""{"error":{"message":"Incorrect API key provided"}}""", 401));
        var error = await Assert.ThrowsAsync<ModelEndpointException>(() => CheckAsync(server.Endpoint));

        Assert.Equal(ModelProblem.Unauthorized, error.Problem);
        Assert.Contains($"model endpoint {server.Endpoint} refused the API key (401)", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
        Assert.Single(server.Requests); // no retries: one clear answer at once
    }

    [Fact]
    public async Task A429_IsRateLimited()
    {
        await using var server = new FakeOpenAIServer();
        server.Enqueue(FakeOpenAIServer.Json("""{"error":{"message":"You exceeded your current quota"}}""", 429));
        var error = await Assert.ThrowsAsync<ModelEndpointException>(() => CheckAsync(server.Endpoint));

        Assert.Equal(ModelProblem.RateLimited, error.Problem);
        Assert.Contains("(429)", error.Message, StringComparison.Ordinal);
        Assert.Contains("exceeded your current quota", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerThatNeverAnswers_IsNoAnswer_AfterTheTimeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var endpoint = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/v1";
        var accepted = silent.AcceptTcpClientAsync(); // accepts, reads nothing, answers nothing
        var error = await Assert.ThrowsAsync<ModelEndpointException>(() => CheckAsync(endpoint));
        using var client = await accepted;

        Assert.Equal(ModelProblem.NoAnswer, error.Problem);
        Assert.Contains($"model endpoint {endpoint} accepted the connection but did not answer within 2 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModelWithoutToolCalling_IsReportedAsSuch()
    {
        await using var server = new FakeOpenAIServer();
        server.Enqueue(FakeOpenAIServer.Json("""{"error":{"message":"registry.ollama.ai/library/gemma:2b does not support tools"}}""", 400));
        var error = await Assert.ThrowsAsync<ModelEndpointException>(() => CheckAsync(server.Endpoint, "gemma:2b"));

        Assert.Equal(ModelProblem.NoToolCalling, error.Problem);
        Assert.Contains("model 'gemma:2b' at " + server.Endpoint + " does not support tool calling", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWorkingEndpoint_IsMeasured_AndItsToolCallSeen()
    {
        await using var server = new FakeOpenAIServer();
        server.Enqueue(FakeOpenAIServer.Json(Completion("""{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"murmur_ping","arguments":"{}"}}]}""", "tool_calls")));
        var result = await CheckAsync(server.Endpoint);

        Assert.NotNull(result);
        Assert.True(result.CalledTool);
        Assert.Equal("test-model", result.Model);
        Assert.Equal(10, result.InputTokens);
        Assert.Contains("\"murmur_ping\"", server.Requests.Single(), StringComparison.Ordinal); // the probe offered a tool
    }

    [Fact]
    public async Task MockLlmFromNpm_AWorkingModelCallsTheTool_AndALockedOneIs401()
    {
        await using var server = await NodeServer.MockLlmAsync(Path.Combine(AppContext.BaseDirectory, "Data", "mock-llm-check.yaml"));
        var endpoint = $"http://127.0.0.1:{server.Port}/v1";

        var ok = await CheckAsync(endpoint, "mock-model");
        var error = await Assert.ThrowsAsync<ModelEndpointException>(() => CheckAsync(endpoint, "locked-model"));

        Assert.True(ok!.CalledTool);
        Assert.Equal("mock-model", ok.Model);
        Assert.Equal(ModelProblem.Unauthorized, error.Problem);
        Assert.Contains("Incorrect API key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AScriptedModel_IsNotChecked()
        => Assert.Null(await ModelCheck.CheckAsync("scripted:whatever.json"));
}
