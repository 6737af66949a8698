using System.Text.Json;
using Murmur;
using Murmur.AI.Agents;
using Murmur.AI.Scripted;
using Murmur.AI.Tools;
using Murmur.Events;
using Murmur.Mcp;

// An agent uses the tools of an MCP server that nobody here wrote: the reference filesystem server from npm,
// started and supervised by this node. Its calls are recorded in the topic like built-in tools.
//
//   dotnet run --project examples/McpTools                      (starts: npx -y @modelcontextprotocol/server-filesystem ROOT)
//   dotnet run --project examples/McpTools -- node /path/to/server-filesystem/dist/index.js
//
// The reasoning is scripted (no LLM is called) and labelled [scripted].
var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../auth-token"));
var command = args.Length > 0 ? args : ["npx", "-y", "@modelcontextprotocol/server-filesystem"];
var server = new McpServerSpec { Name = "fs", Command = command[0], Arguments = [.. command[1..], root], ToolPrefix = "fs_" };

await using var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog());
var source = await node.AttachMcpServerAsync(server);   // stopped with the node
Console.WriteLine($"MCP server {source.ServerInfo}: {source.Tools.Count} tools");
foreach (var tool in source.Tools)
{
    Console.WriteLine($"  {tool.Name,-28} {(tool.IsReadOnly ? "read-only" : "side-effecting")}");
}

var login = JsonSerializer.Serialize(Path.Combine(root, "services", "api", "auth.py"));
var model = ScriptedChatClient.FromJson($$$"""
    [{"tool_calls":[{"tool":"fs_read_text_file","args":{"path":{{{login}}},"head":20}}]},
     {"when":{"tool_result_contains":"auth_token"},"text":"auth.py handles auth_token; see the TOOL_RESULT for the lines."},
     {"text":"auth.py does not mention auth_token."}]
    """);
var topic = await node.OpenTopicAsync("mcp-example");
await node.SpawnAsync("Researcher_Agent_3", () => new LlmAgent(model, node.Tools(), new LlmAgentOptions
{
    Goal = "Does services/api/auth.py handle auth_token?",
    AllowedTools = ["fs_read_text_file"],   // the runtime refuses every other tool, MCP ones included
}), topic);
await topic.WaitForEventAsync(e => e.Action == Actions.TaskComplete).WaitAsync(TimeSpan.FromSeconds(60));

foreach (var e in topic.History)
{
    var text = e.ToString();
    Console.WriteLine(text.Length > 220 ? text[..220] + "…" : text);
}
