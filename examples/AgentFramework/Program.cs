using Microsoft.Agents.AI;
using Microsoft.Agents.AI.Workflows;
using Microsoft.Extensions.AI;
using Murmur;
using Murmur.AI.Agents;
using Murmur.AI.Scripted;
using Murmur.AI.Tools;
using Murmur.AgentFramework;

// Microsoft Agent Framework and Murmur, both ways. The models are scripted (no LLM is called) and labelled [scripted];
// swap ScriptedChatClient for any IChatClient (OpenAI, Azure OpenAI, Ollama…) to use a real one.
//
//   dotnet run --project examples/AgentFramework
var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../auth-token"));
await using var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog());
node.Tools().Add(BuiltInTools.GrepSearch(root));   // sandboxed in ROOT, co-located with the agents

// 1. An Agent Framework agent as a supervised Murmur process. Its function tool and the node's grep_search run
//    through Murmur's tool invoker: recorded as TOOL_CALL / TOOL_RESULT in the topic.
var severity = AIFunctionFactory.Create((string file) => file.EndsWith(".py", StringComparison.Ordinal) ? "high" : "medium",
    "rate_severity", "Rates how severe a leak in the file is.");
var researcher = new ChatClientAgent(ScriptedChatClient.FromJson("""
    [{"tool_calls":[{"tool":"grep_search","args":{"query":"auth_token","path":"services"}}]},
     {"when":{"tool_result_contains":"auth.py"},"tool_calls":[{"tool":"rate_severity","args":{"file":"services/api/auth.py"}}]},
     {"when":{"tool_result_contains":"high"},"text":"auth_token is logged in services/api/auth.py (severity high)."}]
    """), instructions: "Find where auth_token leaks.", name: "Researcher", tools: [severity]);
var topic = await node.OpenTopicAsync("af-example");
await node.SpawnAsync("Researcher_Agent_3", researcher, topic, new AgentFrameworkAgentOptions
{
    Goal = "Where does auth_token leak?",
    AllowedTools = ["grep_search"],
});
await topic.WaitForEventAsync(e => e.Action == AgentFrameworkActions.Session).WaitAsync(TimeSpan.FromSeconds(30));
Console.WriteLine("1. An Agent Framework agent on a Murmur topic:");
foreach (var e in topic.History)
{
    var text = e.ToString();
    Console.WriteLine("   " + (text.Length > 200 ? text[..200] + "…" : text));
}

// 2. A Murmur topic as an Agent Framework agent: a sequential workflow hands the plan to a mesh, where an LlmAgent
//    (it could be on any node of the mesh) does the work; the workflow gets what the mesh's agents said.
var planner = new ChatClientAgent(ScriptedChatClient.FromJson("""[{"text":"Plan: find where auth_token is logged, then report."}]"""), name: "Planner");
var mesh = new MurmurTopicAgent(node, new MurmurTopicAgentOptions
{
    Name = "Mesh",
    To = "Coder_Agent_1",
    StartTask = (n, task, ct) => n.SpawnAsync("Coder_Agent_1", () => new LlmAgent(ScriptedChatClient.FromJson("""
        [{"tool_calls":[{"tool":"grep_search","args":{"query":"auth_token","path":"services"}}]},
         {"when":{"tool_result_contains":"auth.py"},"text":"Redact auth_token in services/api/auth.py before logging."}]
        """), n.Tools(), new LlmAgentOptions { AllowedTools = ["grep_search"], ReactToFindings = false }), task, cancellationToken: ct),
});
var workflow = AgentWorkflowBuilder.BuildSequential(planner, mesh);
await using var run = await InProcessExecution.RunStreamingAsync(workflow, new List<ChatMessage> { new(ChatRole.User, "Audit the login service.") });
await run.TrySendMessageAsync(new TurnToken(emitEvents: true));
Console.WriteLine("2. An Agent Framework workflow handing work to a Murmur mesh:");
await foreach (var evt in run.WatchStreamAsync())
{
    if (evt is WorkflowOutputEvent output && output.As<List<ChatMessage>>() is { } messages)
    {
        foreach (var message in messages)
        {
            Console.WriteLine($"   {message.AuthorName ?? message.Role.Value}: {message.Text}");
        }
        break;
    }
}
