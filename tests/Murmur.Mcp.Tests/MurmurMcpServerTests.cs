using System.IO.Pipelines;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Murmur.Mcp.Tests;

/// <summary>Murmur's sandboxed tools served over MCP, checked with the C# SDK's client over in-memory pipes.</summary>
public sealed class MurmurMcpServerTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task ReadOnlyByDefault_ListsTheReadOnlyTools_AnnotatedReadOnly()
    {
        await using var session = await Session.StartAsync(MurmurMcpServer.SandboxedTools(_tree.Root));
        var tools = await session.Client.ListToolsAsync();

        Assert.Equal(["grep_search", "list_files", "propose_patch", "read_file"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(tools, t => Assert.True(t.ProtocolTool.Annotations?.ReadOnlyHint));
        Assert.Equal(MurmurMcpServer.ServerName, session.Client.ServerInfo?.Name);
    }

    [Fact]
    public async Task AllowWrites_AddsApplyPatch_AnnotatedDestructive_AndItWrites()
    {
        _tree.Write("a.txt", "one\n");
        await using var session = await Session.StartAsync(MurmurMcpServer.SandboxedTools(_tree.Root, allowWrites: true));
        var apply = (await session.Client.ListToolsAsync()).Single(t => t.Name == "apply_patch");
        Assert.False(apply.ProtocolTool.Annotations?.ReadOnlyHint);
        Assert.True(apply.ProtocolTool.Annotations?.DestructiveHint);

        var result = await session.Client.CallToolAsync("apply_patch", new Dictionary<string, object?> { ["path"] = "a.txt", ["unified_diff"] = "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n" });

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("two\n", await File.ReadAllTextAsync(Path.Combine(_tree.Root, "a.txt")));
    }

    [Fact]
    public async Task APathOutsideTheRoot_IsRefused_WithTheReason()
    {
        File.WriteAllText(Path.Combine(_tree.Parent, "secret.txt"), "secret");
        await using var session = await Session.StartAsync(MurmurMcpServer.SandboxedTools(_tree.Root));

        var result = await session.Client.CallToolAsync("read_file", new Dictionary<string, object?> { ["path"] = "../secret.txt" });

        Assert.True(result.IsError);
        var text = string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));
        Assert.Contains("read_file", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", text.Replace("secret.txt", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrepSearch_ReturnsMatches()
    {
        _tree.Write("src/login.py", "log(auth_token)\n");
        await using var session = await Session.StartAsync(MurmurMcpServer.SandboxedTools(_tree.Root));

        var result = await session.Client.CallToolAsync("grep_search", new Dictionary<string, object?> { ["query"] = "auth_token" });

        Assert.NotEqual(true, result.IsError);
        Assert.Contains("src/login.py", string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text)), StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingRoot_IsAClearError()
    {
        var ex = Assert.Throws<DirectoryNotFoundException>(() => MurmurMcpServer.SandboxedTools(Path.Combine(_tree.Parent, "missing")));
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A server and a client connected by two in-memory pipes.</summary>
    private sealed class Session : IAsyncDisposable
    {
        private readonly McpServer _server;
        private readonly Task _running;
        private readonly CancellationTokenSource _stop = new();

        private Session(McpServer server, McpClient client)
        {
            _server = server;
            Client = client;
            _running = server.RunAsync(_stop.Token);
        }

        public McpClient Client { get; private set; }

        public static async Task<Session> StartAsync(IEnumerable<Microsoft.Extensions.AI.AIFunction> tools)
        {
            var toServer = new Pipe();
            var toClient = new Pipe();
            var server = MurmurMcpServer.Create(new StreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream()), tools);
            var session = new Session(server, null!);
            session.Client = await McpClient.CreateAsync(new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()));
            return session;
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await _stop.CancelAsync();
            try
            {
                await _running;
            }
            catch (OperationCanceledException)
            {
            }
            await _server.DisposeAsync();
            _stop.Dispose();
        }
    }
}
