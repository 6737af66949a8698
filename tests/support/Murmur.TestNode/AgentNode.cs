using Microsoft.Extensions.AI;
using Murmur;
using Murmur.AI.Agents;
using Murmur.AI.Events;
using Murmur.AI.Tools;
using Murmur.AI.Tools.Mesh;
using Murmur.Events;
using Murmur.Nats;

/// <summary>
/// An LlmAgent node in its own process, killed (SIGKILL, by itself) at a chosen point of its task:
/// <c>Murmur.TestNode agent &lt;nats-url&gt; &lt;stream&gt; &lt;node-id&gt; &lt;topic&gt; &lt;steps&gt; &lt;crash-at&gt;</c>, where crash-at is
/// <c>none</c>, <c>after-call:N</c> (its N-th TOOL_CALL is in the log; the request to the host may or may not be) or
/// <c>after-result:N</c> (its model is called with N tool results in the conversation). The agent <c>Worker</c> has the
/// goal of recording <c>steps</c> effects with the remote tool <c>record_effect</c>; its model is deterministic (a
/// function of the conversation, as a real model's answer is). Prints <c>done</c> when its TASK_COMPLETE is in the log.
/// </summary>
internal static class AgentNode
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 6)
        {
            Console.Error.WriteLine("usage: Murmur.TestNode agent <nats-url> <stream> <node-id> <topic> <steps> <none|after-call:N|after-result:N>");
            return 2;
        }
        var (url, stream, nodeId, topicName) = (args[0], args[1], args[2], args[3]);
        var steps = int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
        var crash = args[5].Split(':');
        var crashAt = crash.Length == 2 ? int.Parse(crash[1], System.Globalization.CultureInfo.InvariantCulture) : -1;
        await using var node = await MurmurNode.StartAsync(o =>
        {
            o.UseNats(new NatsEventLogOptions { Url = url, StreamName = stream, SubjectPrefix = stream.ToLowerInvariant(), Replicas = 3 });
            o.Options = o.Options with { NodeId = nodeId };
        });
        await using var mesh = await node.JoinToolMeshAsync(new ToolMeshOptions { CallTimeout = TimeSpan.FromMinutes(2) });
        await mesh.WaitForToolAsync("record_effect").WaitAsync(TimeSpan.FromMinutes(2));
        var topic = await node.OpenTopicAsync(topicName);
        if (crash[0] == "after-call")
        {
            var earlier = topic.History.Count(e => e.Actor == "Worker" && e.Action == AiActions.ToolCall);
            _ = topic.WaitForEventAsync(_ => topic.History.Count(e => e.Actor == "Worker" && e.Action == AiActions.ToolCall) >= crashAt && crashAt > earlier)
                .ContinueWith(_ => SelfKill.Now(), TaskScheduler.Default);
        }
        var model = new EffectModel(steps, crash[0] == "after-result" ? crashAt : -1);
        var options = new LlmAgentOptions { Goal = $"record {steps} effects", AllowedTools = ["record_effect"], EnableReportFinding = false };
        await node.SpawnAsync("Worker", () => new LlmAgent(model, node.Tools(), options), topic);
        await topic.WaitForEventAsync(e => e.Actor == "Worker" && e.Action == Actions.TaskComplete).WaitAsync(TimeSpan.FromMinutes(3));
        Console.WriteLine("done");
        return 0;
    }

    /// <summary>Calls record_effect("effect-{n+1}") while fewer than <c>steps</c> results are in the conversation, then answers done.</summary>
    private sealed class EffectModel(int steps, int dieAtResults) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var results = messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Count();
            if (results == dieAtResults)
            {
                SelfKill.Now();
            }
            var message = results < steps
                ? new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"c{results + 1}", "record_effect", new Dictionary<string, object?> { ["id"] = $"effect-{results + 1}" })])
                : new ChatMessage(ChatRole.Assistant, "[scripted] done");
            return Task.FromResult(new ChatResponse(message));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
