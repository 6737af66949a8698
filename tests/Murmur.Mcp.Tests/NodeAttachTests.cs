using System.Diagnostics;
using Murmur.AI.Agents;
using Murmur.AI.Events;
using Murmur.AI.Scripted;
using Murmur.AI.Tools;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Mcp.Tests.Support;

namespace Murmur.Mcp.Tests;

/// <summary>MCP tools on a node: used by agents like built-in tools, recorded, allow-listed, served to the mesh, stopped with the node.</summary>
public sealed class NodeAttachTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task LlmAgent_CallsAnMcpTool_RecordedAsToolCallAndToolResult()
    {
        var file = _tree.Write("login.py", "log(auth_token)\n");
        await using var node = await MurmurNode.StartAsync();
        await node.AttachMcpServerAsync(Servers.Filesystem(_tree.Root));
        Assert.True(node.Tools().TryGet("read_text_file", out _));
        var path = System.Text.Json.JsonSerializer.Serialize(file);
        var model = ScriptedChatClient.FromJson($$$"""
            [{"tool_calls":[{"tool":"read_text_file","args":{"path":{{{path}}}}}]},
             {"when":{"tool_result_contains":"auth_token"},"text":"found it"}]
            """);
        var topic = await node.OpenTopicAsync("mcp-read");
        await node.SpawnAsync("Reader", () => new LlmAgent(model, node.Tools(), new LlmAgentOptions { Goal = "read login.py", AllowedTools = ["read_text_file"] }), topic);

        var history = await TopicWait.UntilAsync(topic, e => e.Action == Actions.TaskComplete);

        Assert.Equal([Actions.Join, AiActions.ToolCall, AiActions.ToolResult, Actions.Message, Actions.TaskComplete], history.Select(e => e.Action));
        var call = history[1].GetPayload();
        Assert.Equal("read_text_file", call.GetProperty("tool").GetString());
        var result = history[2].GetPayload();
        Assert.True(result.GetProperty("ok").GetBoolean());
        Assert.Equal("local", result.GetProperty("locality").GetString());
        Assert.Contains("log(auth_token)", result.GetProperty("result").GetRawText(), StringComparison.Ordinal); // structuredContent {"content": …}
        Assert.Equal("[scripted] found it", history[3].GetPayload().GetProperty("text").GetString());
    }

    [Fact]
    public async Task AnMcpToolOutsideTheAllowList_IsRefused_AndNeverRuns()
    {
        await using var node = await MurmurNode.StartAsync();
        await node.AttachMcpServerAsync(Servers.Filesystem(_tree.Root));
        var target = Path.Combine(_tree.Root, "written.txt");
        var topic = await node.OpenTopicAsync("mcp-refused");
        var member = await Puppet.JoinAsync(node, topic, "Writer");
        var invoker = new ToolInvoker(node.Tools(), ["read_text_file"]);

        var outcome = await invoker.InvokeAsync(member, "write_file", new Dictionary<string, object?> { ["path"] = target, ["content"] = "x" });

        Assert.False(outcome.Ok);
        Assert.Contains("allow-list", outcome.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
        Assert.Contains(topic.History, e => e.Action == AiActions.ToolResult && e.GetPayload().GetProperty("is_error").GetBoolean());
    }

    [Fact]
    public async Task ASideEffectingMcpTool_IsRecordedAsSuch_AndRunsOnce()
    {
        await using var node = await MurmurNode.StartAsync();
        await node.AttachMcpServerAsync(Servers.Filesystem(_tree.Root));
        var target = Path.Combine(_tree.Root, "written.txt");
        var topic = await node.OpenTopicAsync("mcp-write");
        var member = await Puppet.JoinAsync(node, topic, "Writer");
        var invoker = new ToolInvoker(node.Tools());
        Assert.True(invoker.IsSideEffecting("write_file"));

        var outcome = await invoker.InvokeAsync(member, "write_file", new Dictionary<string, object?> { ["path"] = target, ["content"] = "hello" });

        Assert.True(outcome.Ok, outcome.Error);
        Assert.Equal("hello", await File.ReadAllTextAsync(target));
        var result = topic.History.Single(e => e.Action == AiActions.ToolResult).GetPayload();
        Assert.True(result.GetProperty("side_effecting").GetBoolean());
    }

    [Fact]
    public async Task TheNodeStopping_StopsTheStdioServer_AndRemovesItsTools()
    {
        var node = await MurmurNode.StartAsync();
        var source = await node.AttachMcpServerAsync(Servers.Crashing("crashy-node"));
        var who = (await source.Tools.Single(t => t.Name == "whoami").InvokeAsync(new() { ["text"] = "x" }))!.ToString()!;
        using var process = Process.GetProcessById(int.Parse(who.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture));
        var registry = node.Tools();
        Assert.True(registry.TryGet("whoami", out _));

        await node.DisposeAsync();

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(registry.TryGet("whoami", out _));
    }

    [Fact]
    public async Task DisposingTheSource_RemovesItsTools_AndANameClashIsRefused()
    {
        await using var node = await MurmurNode.StartAsync();
        node.Tools().Add(() => "mine", "whoami");
        var clash = await Assert.ThrowsAsync<InvalidOperationException>(() => node.AttachMcpServerAsync(Servers.Crashing("crashy-clash")));
        Assert.Contains("ToolPrefix", clash.Message, StringComparison.Ordinal);
        Assert.False(node.Tools().TryGet("crash", out _)); // nothing of the refused server stays

        var source = await node.AttachMcpServerAsync(Servers.Crashing("crashy-prefixed") with { ToolPrefix = "c_" });
        Assert.True(node.Tools().TryGet("c_whoami", out _));
        await source.DisposeAsync();
        Assert.False(node.Tools().TryGet("c_whoami", out _));
        Assert.True(node.Tools().TryGet("whoami", out _));
    }

    [Fact]
    public async Task AnMcpTool_IsServedToAnotherNodeOfTheToolMesh()
    {
        var log = new InMemoryEventLog();
        await using var host = await MurmurNode.StartAsync(o => { o.UseLog(log); o.Options = o.Options with { NodeId = "host" }; });
        await using var caller = await MurmurNode.StartAsync(o => { o.UseLog(log); o.Options = o.Options with { NodeId = "caller" }; });
        await using var hostMesh = await host.JoinToolMeshAsync();
        await host.AttachMcpServerAsync(Servers.Everything("everything-mesh"));
        await using var callerMesh = await caller.JoinToolMeshAsync();
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await callerMesh.WaitForToolAsync("echo", wait.Token);
        }
        var topic = await caller.OpenTopicAsync("mcp-mesh");
        var member = await Puppet.JoinAsync(caller, topic, "Asker");

        var outcome = await new ToolInvoker(caller.Tools()).InvokeAsync(member, "echo", new Dictionary<string, object?> { ["message"] = "across nodes" });

        Assert.True(outcome.Ok, outcome.Error);
        Assert.Equal(ToolLocality.Remote, outcome.Locality);
        Assert.Equal("host", outcome.Host);
        Assert.Equal("Echo: across nodes", outcome.Result.GetString());
    }
}
