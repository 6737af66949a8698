using Microsoft.Extensions.AI;
using Murmur.AI.Agents;
using Murmur.AI.Events;
using Murmur.AI.Scripted;
using Murmur.AI.Tests.Support;
using Murmur.AI.Tools;
using Murmur.AI.Tools.Mesh;
using Murmur.Cli.Tests.Protocol;
using Murmur.Events;
using Murmur.Logs;

namespace Murmur.AI.Tests.Mesh;

/// <summary>Every event the tool mesh writes (directory, inbox, the caller's topic) matches docs/protocol/schema.</summary>
public sealed class MeshSchemaTests
{
    [Fact]
    public async Task ARemoteToolCall_WritesOnlyEventsThatMatchTheProtocolsSchemas()
    {
        await using var nodes = new MeshNodes(new InMemoryEventLog());
        var host = await nodes.NodeAsync("host-b");
        host.Tools().Add(AIFunctionFactory.Create((string key) => "value-of-" + key, "lookup", "Looks a key up."));
        await nodes.JoinAsync(host);
        var caller = await nodes.NodeAsync("caller-a");
        var callerMesh = await nodes.JoinAsync(caller);
        await callerMesh.WaitForToolAsync("lookup").WaitAsync(TimeSpan.FromSeconds(30));
        var topic = await caller.OpenTopicAsync("remote-task");
        var engine = ScriptedChatClient.FromJson("""[{"tool_calls":[{"tool":"lookup","args":{"key":"x"}}]},{"when":{"tool_result_contains":"value-of-x"},"text":"found it"}]""");
        await caller.SpawnAsync("Caller_Agent", () => new LlmAgent(engine, caller.Tools(), new LlmAgentOptions { Goal = "look x up", AllowedTools = ["lookup"] }), topic);

        var events = new List<AgentEvent>(await TopicWait.UntilAsync(topic, e => e.Action == Actions.TaskComplete));
        events.AddRange(await TopicWait.UntilAsync(await host.OpenTopicAsync(ToolMesh.InboxTopicOf("host-b")), e => e.Action == AiActions.ToolResult));
        events.AddRange(await TopicWait.UntilAsync(await host.OpenTopicAsync(ToolMeshActions.DirectoryTopic), e => e.Action == ToolMeshActions.ToolsHosted));

        Assert.Contains(events, e => e.Action == ToolMeshActions.ToolsHosted);
        Assert.Contains(events, e => e.Action == AiActions.ToolCall && e.Topic != "remote-task"); // the inbox copy
        Assert.All(events, e => Assert.Empty(ProtocolSchemas.Errors(e)));
    }
}
