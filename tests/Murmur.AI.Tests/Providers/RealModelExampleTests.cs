using System.Net;
using System.Net.Sockets;
using Murmur.AI.Tests.Support;
using RealModel;
using static Murmur.AI.Tests.Support.FakeOpenAIServer;

namespace Murmur.AI.Tests.Providers;

/// <summary>examples/RealModel against the local OpenAI-compatible test server: cost and latency per iteration, one-line errors.</summary>
public sealed class RealModelExampleTests
{
    private const string KeyVariable = "MURMUR_REALMODEL_TESTS_KEY";

    static RealModelExampleTests() => Environment.SetEnvironmentVariable(KeyVariable, "sk-test");

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await RealModelRun.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task OnAWorkingEndpoint_ItPrintsEachIterationsLatencyTokensAndCost_ThenTheAnswer()
    {
        await using var server = new FakeOpenAIServer();
        server.Enqueue(FakeOpenAIServer.Json(Completion("""{"role":"assistant","content":null,"tool_calls":[{"id":"p","type":"function","function":{"name":"murmur_ping","arguments":"{}"}}]}""", "tool_calls")));
        server.Enqueue(FakeOpenAIServer.Json(Completion("""{"role":"assistant","content":null,"tool_calls":[{"id":"g","type":"function","function":{"name":"grep_search","arguments":"{\"query\":\"auth_token\",\"path\":\".\"}"}}]}""", "tool_calls")));
        server.Enqueue(FakeOpenAIServer.Json(Completion("""{"role":"assistant","content":"services/api/auth.py:12"}""", "stop")));

        var (exit, output, error) = await RunAsync("--model", "openai:test-model", "--endpoint", server.Endpoint, "--key-env", KeyVariable, "--price-in", "1", "--price-out", "2");

        Assert.True(exit == 0, error + output);
        Assert.Contains($"model test-model at {server.Endpoint} answered the check in", output, StringComparison.Ordinal);
        Assert.Matches(@"iteration 1: \d+ ms, 10 in / 5 out tokens, \$0\.000020 — calls grep_search", output);
        Assert.Matches(@"iteration 2: \d+ ms, 10 in / 5 out tokens, \$0\.000020 — answers", output);
        Assert.Matches(@"total: 2 model calls, \d+ ms in the model, 20 in / 10 out tokens, \$0\.000040; status done", output);
        Assert.Contains("services/api/auth.py:12", output, StringComparison.Ordinal);
        Assert.Contains("auth_token", server.Requests.ToArray()[2], StringComparison.Ordinal); // grep_search's result went back to the model
    }

    [Fact]
    public async Task OnARefusedEndpoint_ItFailsAtOnceWithOneLine()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var endpoint = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/v1";
        probe.Stop();

        var (exit, output, error) = await RunAsync("--model", "openai:test-model", "--endpoint", endpoint, "--key-env", KeyVariable);

        Assert.Equal(1, exit);
        Assert.Equal($"RealModel: model endpoint {endpoint} is unreachable: the connection was refused (nothing listens there)", error.Trim());
        Assert.Empty(output);
    }

    [Fact]
    public async Task WithoutItsKey_ItSaysWhichVariableIsMissing()
    {
        var (exit, _, error) = await RunAsync("--model", "openai:test-model", "--key-env", "MURMUR_REALMODEL_TESTS_UNSET");

        Assert.Equal(2, exit);
        Assert.Contains("'MURMUR_REALMODEL_TESTS_UNSET', which is not set", error, StringComparison.Ordinal);
    }
}
