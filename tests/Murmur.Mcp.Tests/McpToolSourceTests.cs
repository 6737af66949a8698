using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Murmur.AI.Tools;
using Murmur.Mcp.Tests.Support;
using Murmur.Supervision;

namespace Murmur.Mcp.Tests;

/// <summary>The MCP client side against servers nobody here wrote: the npm reference servers.</summary>
public sealed class McpToolSourceTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task FilesystemServer_ListsItsTools_WithSchemasAndSideEffectMarksFromTheAnnotations()
    {
        await using var source = await McpToolSource.ConnectAsync(Servers.Filesystem(_tree.Root));

        var read = Assert.Single(source.Tools, t => t.Name == "read_text_file");
        var write = Assert.Single(source.Tools, t => t.Name == "write_file");
        var edit = Assert.Single(source.Tools, t => t.Name == "edit_file");
        Assert.True(read.IsReadOnly);
        Assert.False(ToolRegistry.IsSideEffecting(read));
        Assert.False(write.IsReadOnly);
        Assert.True(ToolRegistry.IsSideEffecting(write));
        Assert.True(write.IsDestructive);
        Assert.True(ToolRegistry.IsSideEffecting(edit));
        Assert.True(read.JsonSchema.GetProperty("properties").TryGetProperty("path", out _));
        Assert.Contains("secure-filesystem-server", source.ServerInfo, StringComparison.Ordinal);
        Assert.True(source.Tools.Count >= 10);
    }

    [Fact]
    public async Task FilesystemServer_ReadsAFile_AndAnErrorResultIsAnException()
    {
        _tree.Write("notes.txt", "auth_token lives here\n");
        await using var source = await McpToolSource.ConnectAsync(Servers.Filesystem(_tree.Root));
        var read = source.Tools.Single(t => t.Name == "read_text_file");

        var result = (JsonElement)(await read.InvokeAsync(new AIFunctionArguments { ["path"] = Path.Combine(_tree.Root, "notes.txt") }))!;
        Assert.Contains("auth_token lives here", result.ValueKind == JsonValueKind.String ? result.GetString() : result.GetRawText(), StringComparison.Ordinal);

        // Outside the server's allowed directory: the server answers isError, which is a failed call here.
        var outside = Path.Combine(_tree.Parent, "secret.txt");
        File.WriteAllText(outside, "secret");
        var ex = await Assert.ThrowsAsync<McpToolException>(() => read.InvokeAsync(new AIFunctionArguments { ["path"] = outside }).AsTask());
        Assert.Contains("denied", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Overrides_WinOverTheAnnotations()
    {
        var spec = Servers.Filesystem(_tree.Root) with { ReadOnlyTools = ["create_directory"], SideEffectingTools = ["list_directory"], ToolPrefix = "fs_" };
        await using var source = await McpToolSource.ConnectAsync(spec);

        Assert.True(source.Tools.Single(t => t.Name == "fs_create_directory").IsReadOnly);
        Assert.False(source.Tools.Single(t => t.Name == "fs_list_directory").IsReadOnly);
        Assert.True(source.Tools.Single(t => t.Name == "fs_read_text_file").IsReadOnly);
        Assert.All(source.Tools, t => Assert.StartsWith("fs_", t.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EverythingServer_TextStructuredAndImageResults_BecomeJson()
    {
        await using var source = await McpToolSource.ConnectAsync(Servers.Everything());
        var tools = source.Tools.ToDictionary(t => t.Name);

        var echo = (JsonElement)(await tools["echo"].InvokeAsync(new AIFunctionArguments { ["message"] = "hello mesh" }))!;
        Assert.Equal("Echo: hello mesh", echo.GetString());
        var sum = (JsonElement)(await tools["get-sum"].InvokeAsync(new AIFunctionArguments { ["a"] = 2, ["b"] = 40 }))!;
        Assert.Contains("42", sum.GetString(), StringComparison.Ordinal);
        var structured = (JsonElement)(await tools["get-structured-content"].InvokeAsync(new AIFunctionArguments { ["location"] = "New York" }))!;
        Assert.Equal(JsonValueKind.Object, structured.ValueKind);
        Assert.True(structured.TryGetProperty("temperature", out _));
        var image = (JsonElement)(await tools["get-tiny-image"].InvokeAsync(new AIFunctionArguments()))!;
        Assert.Equal(JsonValueKind.Array, image.ValueKind);
        Assert.Contains(image.EnumerateArray(), b => b.GetProperty("type").GetString() == "image");
        Assert.True(tools["echo"].IsReadOnly);
    }

    [Fact]
    public async Task ServerCrashingMidCall_TheCallIsAnsweredWithAnError_TheServerRestarts_AndTheNextCallWorks()
    {
        await using var source = await McpToolSource.ConnectAsync(Servers.Crashing());
        var tools = source.Tools.ToDictionary(t => t.Name);
        var pids = new HashSet<string>(StringComparer.Ordinal);
        // Three times in a row, each next call made right after the error: it must reach the restarted server, not the dead one.
        for (var round = 1; round <= 3; round++)
        {
            var before = (await tools["whoami"].InvokeAsync(new AIFunctionArguments { ["text"] = "a" }).AsTask().WaitAsync(TimeSpan.FromSeconds(60)))!.ToString()!;
            pids.Add(before.Split(':')[0]);

            var ex = await Assert.ThrowsAsync<McpToolException>(() => tools["crash"].InvokeAsync(new AIFunctionArguments()).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("MCP server 'crashy' exited during the call to 'crash'", ex.Message, StringComparison.Ordinal);

            var after = (await tools["whoami"].InvokeAsync(new AIFunctionArguments { ["text"] = "b" }).AsTask().WaitAsync(TimeSpan.FromSeconds(60)))!.ToString()!;
            Assert.EndsWith(":b", after, StringComparison.Ordinal);
            Assert.DoesNotContain(after.Split(':')[0], pids);
            Assert.Equal(round, source.Restarts);
        }
        Assert.True(source.IsConnected);
    }

    [Fact]
    public async Task ARestart_WaitsForTheBackoff()
    {
        var backoff = TimeSpan.FromMilliseconds(800);
        var spec = Servers.Crashing("crashy-backoff") with { Restart = new RestartBackoff { Initial = backoff, Max = backoff, Jitter = 0 } };
        await using var source = await McpToolSource.ConnectAsync(spec);
        var tools = source.Tools.ToDictionary(t => t.Name);

        await Assert.ThrowsAsync<McpToolException>(() => tools["crash"].InvokeAsync(new AIFunctionArguments()).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        var crashed = Stopwatch.GetTimestamp();
        await tools["whoami"].InvokeAsync(new AIFunctionArguments { ["text"] = "later" }).AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        // The call waited for the restart, which came no sooner than the backoff after the server exited.
        Assert.True(Stopwatch.GetElapsedTime(crashed) >= backoff - TimeSpan.FromMilliseconds(300), $"restarted after {Stopwatch.GetElapsedTime(crashed).TotalMilliseconds} ms");
        Assert.Equal(1, source.Restarts);
    }

    [Fact]
    public async Task ServerKilledDuringALongCall_TheCallFails_AndTheServerComesBack()
    {
        // Other tests run server-everything from this process too: this one is told apart by an environment variable.
        var marker = "MURMUR_TEST_MARKER=" + Guid.NewGuid().ToString("N");
        var spec = Servers.Everything("everything-killed") with { Environment = new Dictionary<string, string> { ["MURMUR_TEST_MARKER"] = marker[19..] } };
        await using var source = await McpToolSource.ConnectAsync(spec);
        var tools = source.Tools.ToDictionary(t => t.Name);
        var server = ChildProcesses.Single(c => c.Environment.Contains(marker, StringComparison.Ordinal));

        var call = tools["trigger-long-running-operation"].InvokeAsync(new AIFunctionArguments { ["duration"] = 60, ["steps"] = 2 }).AsTask();
        Assert.False(call.IsCompleted);
        Process.GetProcessById(server.Pid).Kill();
        var ex = await Assert.ThrowsAsync<McpToolException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("exited", ex.Message, StringComparison.Ordinal);

        var echo = (JsonElement)(await tools["echo"].InvokeAsync(new AIFunctionArguments { ["message"] = "again" }).AsTask().WaitAsync(TimeSpan.FromSeconds(60)))!;
        Assert.Equal("Echo: again", echo.GetString());
        Assert.Equal(1, source.Restarts);
    }

    [Fact]
    public async Task Dispose_StopsTheServerProcess()
    {
        var source = await McpToolSource.ConnectAsync(Servers.Crashing("crashy-dispose"));
        var who = (await source.Tools.Single(t => t.Name == "whoami").InvokeAsync(new AIFunctionArguments { ["text"] = "x" }))!.ToString()!;
        using var process = Process.GetProcessById(int.Parse(who.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture));

        await source.DisposeAsync();

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(process.HasExited);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => source.Tools[0].InvokeAsync(new AIFunctionArguments { ["text"] = "y" }).AsTask());
    }

    [Fact]
    public async Task AServerThatCannotStart_IsAClearError()
    {
        var spec = new McpServerSpec { Name = "missing", Command = "/nonexistent/mcp-server", StartTimeout = TimeSpan.FromSeconds(20) };
        var ex = await Assert.ThrowsAsync<McpToolException>(() => McpToolSource.ConnectAsync(spec));
        Assert.Contains("could not start MCP server 'missing' (/nonexistent/mcp-server)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamableHttpServer_ToolsWork_OverAUrl()
    {
        await using var http = await NodeServer.EverythingHttpAsync();
        await using var source = await McpToolSource.ConnectAsync(new McpServerSpec { Name = "web", Url = new Uri($"http://127.0.0.1:{http.Port}/mcp") });

        var echo = (JsonElement)(await source.Tools.Single(t => t.Name == "echo").InvokeAsync(new AIFunctionArguments { ["message"] = "over http" }))!;
        Assert.Equal("Echo: over http", echo.GetString());
    }

    /// <summary>This test process's child processes (pid and environment), from /proc.</summary>
    private static IEnumerable<(int Pid, string Environment)> ChildProcesses
    {
        get
        {
            var self = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid))
                {
                    continue;
                }
                string stat, environment;
                try
                {
                    stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    environment = File.ReadAllText(Path.Combine(dir, "environ")).Replace('\0', '\n');
                }
                catch (IOException)
                {
                    continue;
                }
                catch (UnauthorizedAccessException)
                {
                    continue;
                }
                // stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ')'.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields.Length > 1 && fields[1] == self)
                {
                    yield return (pid, environment);
                }
            }
        }
    }
}
