using System.Globalization;
using Murmur;
using Murmur.AI.Agents;
using Murmur.AI.Providers;
using Murmur.AI.Tools;
using Murmur.Events;

namespace RealModel;

/// <summary>The example: check the endpoint, run one LlmAgent with grep_search on the example tree, print what it cost.</summary>
internal static class RealModelRun
{
    private const string Usage = """
        usage: RealModel --model openai:MODEL|ollama:MODEL [--endpoint URL] [--key-env VAR] [--price-in USD] [--price-out USD]
                         [--root DIR] [--timeout SECONDS]

          --model      openai:gpt-4o-mini (key from OPENAI_API_KEY, or --key-env), ollama:llama3.1, or any
                       OpenAI-compatible server with --endpoint (vLLM, LM Studio, llama.cpp: http://HOST:PORT/v1)
          --price-in   USD per million input tokens (default 0: local models are free)
          --price-out  USD per million output tokens (default 0)
          --root       the tree to search (default: examples/auth-token)
          --timeout    seconds the endpoint check waits for an answer (default 10); the task itself may take 120 s
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        string? spec = null, endpoint = null, keyEnv = null, root = null;
        decimal priceIn = 0, priceOut = 0;
        var timeout = TimeSpan.FromSeconds(10);
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"'{args[i]}' needs a value");
            try
            {
                switch (args[i])
                {
                    case "--model": spec = Value(); break;
                    case "--endpoint": endpoint = Value(); break;
                    case "--key-env": keyEnv = Value(); break;
                    case "--root": root = Value(); break;
                    case "--price-in": priceIn = decimal.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--price-out": priceOut = decimal.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--timeout": timeout = TimeSpan.FromSeconds(int.Parse(Value(), CultureInfo.InvariantCulture)); break;
                    default: throw new ArgumentException($"unknown option '{args[i]}'");
                }
            }
            catch (FormatException)
            {
                stderr.WriteLine($"RealModel: '{args[i - 1]}' takes a number, not '{args[i]}'\n{Usage}");
                return 2;
            }
            catch (ArgumentException ex)
            {
                stderr.WriteLine($"RealModel: {ex.Message}\n{Usage}");
                return 2;
            }
        }
        if (spec is null)
        {
            stderr.WriteLine($"RealModel: --model is required\n{Usage}");
            return 2;
        }
        root ??= FindExampleTree();
        try
        {
            var check = await ModelCheck.CheckAsync(spec, endpoint, keyEnv, timeout);
            stdout.WriteLine($"model {check?.Model ?? spec} at {check?.Endpoint ?? "(scripted)"} answered the check in {check?.Latency.TotalMilliseconds ?? 0:0} ms{(check is { CalledTool: false } ? " without calling the offered tool: expect weak tool use" : "")}");
        }
        catch (ModelEndpointException ex)
        {
            stderr.WriteLine($"RealModel: {ex.Message}");
            return 1;
        }
        catch (InvalidOperationException ex)
        {
            stderr.WriteLine($"RealModel: {ex.Message}"); // e.g. the API key's variable is not set
            return 2;
        }

        using var meter = new IterationMeter(ChatClientFactory.Create(spec, endpoint, keyEnv), stdout, priceIn, priceOut);
        await using var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog());
        node.Tools().Add(BuiltInTools.GrepSearch(root));
        var topic = await node.OpenTopicAsync("real-model");
        await node.SpawnAsync("Researcher", () => new LlmAgent(meter, node.Tools(), new LlmAgentOptions
        {
            Goal = "Find every place where auth_token is written to a log in this repository. Use grep_search "
                + "(query 'auth_token', path '.'), then answer with the files and lines, one per line.",
            AllowedTools = ["grep_search"],
            EnableReportFinding = false,
            MaxIterations = 6,
            MaxWallTime = TimeSpan.FromSeconds(110), // a model that stops answering ends the task, with a reason
        }), topic);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        AgentEvent done;
        try
        {
            done = await topic.WaitForEventAsync(e => e.Action == Actions.TaskComplete, limit.Token);
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("RealModel: the task did not complete within 120 s");
            return 1;
        }
        var result = done.GetPayload();
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"total: {result.GetProperty("iterations").GetInt32()} model calls, {meter.ModelTime.TotalMilliseconds:0} ms in the model, {meter.InputTokens} in / {meter.OutputTokens} out tokens, ${meter.Cost:0.000000}; status {result.GetProperty("status").GetString()}"));
        if (result.TryGetProperty("summary", out var summary) && summary.GetString() is { } text)
        {
            stdout.WriteLine("answer:");
            stdout.WriteLine(text);
        }
        return result.GetProperty("status").GetString() == "done" ? 0 : 1;
    }

    private static string FindExampleTree()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "examples", "auth-token"), Path.Combine(dir.FullName, "auth-token") })
            {
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return Directory.GetCurrentDirectory();
    }
}
