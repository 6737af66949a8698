using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Murmur.Mcp.Tests.Support;

namespace Murmur.Cli.Tests;

/// <summary>
/// <c>murmur tool list/run --mcp</c> against the npm reference servers, <c>murmur mcp serve</c> driven by the MCP
/// TypeScript SDK's client, and the scenario's <c>mcp:</c> section.
/// </summary>
public sealed class McpCommandTests : IDisposable
{
    private readonly CliRun _cli = new();
    private readonly string _root;

    public McpCommandTests()
    {
        _root = _cli.Directory("tree");
        Directory.CreateDirectory(Path.Combine(_root, "src"));
        File.WriteAllText(Path.Combine(_root, "src", "auth.cs"), "var t = auth_token;\n");
    }

    public void Dispose() => _cli.Dispose();

    private string FilesystemCommand => $"{Npm.Node} {Npm.FilesystemServer} {_root}";

    [Fact]
    public void ToolList_Mcp_PrintsNameKindAndDescription()
    {
        var (exit, stdout, stderr) = CliRun.Run("tool", "list", "--mcp", FilesystemCommand);

        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("read_text_file ", StringComparison.Ordinal) && l.Contains(" read-only ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("write_file ", StringComparison.Ordinal) && l.Contains("side-effecting (destructive)", StringComparison.Ordinal));
    }

    [Fact]
    public void ToolRun_Mcp_PrintsTheResultAsJson()
    {
        var file = Path.Combine(_root, "src", "auth.cs");
        var (exit, stdout, stderr) = CliRun.Run("tool", "run", "read_text_file", "--mcp", FilesystemCommand, "--args", JsonSerializer.Serialize(new { path = file }));

        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Contains("auth_token", json.RootElement.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToolRun_Mcp_AToolErrorAndAnUnknownTool_AreExitCodeOne()
    {
        var outside = _cli.Output("outside.txt");
        File.WriteAllText(outside, "x");
        var (exit, _, stderr) = CliRun.Run("tool", "run", "read_text_file", "--mcp", FilesystemCommand, "--args", JsonSerializer.Serialize(new { path = outside }));
        Assert.Equal(1, exit);
        Assert.Contains("denied", stderr, StringComparison.OrdinalIgnoreCase);

        (exit, _, stderr) = CliRun.Run("tool", "run", "rm_rf", "--mcp", FilesystemCommand);
        Assert.Equal(1, exit);
        Assert.Contains("the MCP server has no tool 'rm_rf'; its tools:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ToolList_Mcp_AServerThatCannotStart_IsExitCodeOne()
    {
        var (exit, _, stderr) = CliRun.Run("tool", "list", "--mcp", "/nonexistent/server --flag");

        Assert.Equal(1, exit);
        Assert.Contains("could not start MCP server 'mcp' (/nonexistent/server --flag)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void NodeMcp_WithoutANameIsAUsageError()
    {
        var (exit, _, stderr) = CliRun.Run("node", "--log", "memory://", "--serve-tools", "--root", _root, "--mcp", "npx server");

        Assert.Equal(2, exit);
        Assert.Contains("--mcp: 'npx server' is not NAME=COMMAND or NAME=URL", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void McpServe_ListedAndCalledByTheTypeScriptSdkClient_ReadOnlyByDefault()
    {
        var list = McpClient("list", "--", "mcp", "serve", "--root", _root);
        var names = list.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["grep_search", "list_files", "propose_patch", "read_file"], names);
        Assert.All(list.GetProperty("tools").EnumerateArray(), t => Assert.True(t.GetProperty("annotations").GetProperty("readOnlyHint").GetBoolean()));

        var grep = McpClient("call", "grep_search", """{"query":"auth_token"}""", "--", "mcp", "serve", "--root", _root);
        Assert.False(grep.TryGetProperty("isError", out var isError) && isError.GetBoolean());
        Assert.Contains("src/auth.cs", grep.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void McpServe_APathOutOfTheRoot_IsAnErrorResult_AndWritesNeedAllowWrites()
    {
        var escape = McpClient("call", "read_file", """{"path":"../outside.txt"}""", "--", "mcp", "serve", "--root", _root);
        Assert.True(escape.GetProperty("isError").GetBoolean());
        Assert.Contains("read_file", escape.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);

        var refused = McpClient("call", "apply_patch", """{"path":"src/auth.cs","unified_diff":"x"}""", "--", "mcp", "serve", "--root", _root);
        Assert.Contains("Unknown tool: 'apply_patch'", refused.GetProperty("protocolError").GetProperty("message").GetString(), StringComparison.Ordinal);

        var diff = "--- a/src/auth.cs\n+++ b/src/auth.cs\n@@ -1 +1 @@\n-var t = auth_token;\n+var t = redacted;\n";
        var applied = McpClient("call", "apply_patch", JsonSerializer.Serialize(new { path = "src/auth.cs", unified_diff = diff }), "--", "mcp", "serve", "--root", _root, "--allow-writes");
        Assert.False(applied.TryGetProperty("isError", out var isError) && isError.GetBoolean(), applied.GetRawText());
        Assert.Equal("var t = redacted;\n", File.ReadAllText(Path.Combine(_root, "src", "auth.cs")));
    }

    [Fact]
    public void McpServe_AMissingRoot_IsAUsageError()
    {
        var (exit, stdout, stderr) = CliRun.Run("mcp", "serve", "--root", _cli.Output("missing"));

        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_AScenarioWithAnMcpServer_ItsAgentCallsTheMcpTool()
    {
        var dir = _cli.Directory("scenario");
        var path = JsonSerializer.Serialize(Path.Combine(_root, "src", "auth.cs"));
        File.WriteAllText(Path.Combine(dir, "reader.json"), $$$"""
            [{"tool_calls":[{"tool":"fs_read_text_file","args":{"path":{{{path}}}}}]},
             {"when":{"tool_result_contains":"auth_token"},"text":"auth_token is in src/auth.cs"}]
            """);
        File.WriteAllText(Path.Combine(dir, "scenario.yaml"), $"""
            topic: mcp-scenario
            root: .
            timeout_seconds: 60
            mcp:
              fs:
                command: {Npm.Node}
                args: [{Npm.FilesystemServer}, {_root}]
                prefix: fs_
            agents:
              - id: Reader
                model: scripted:reader.json
                goal: find auth_token
                tools: [fs_read_text_file]
            """);
        var output = _cli.Output("out");

        var (exit, stdout, stderr) = CliRun.Run("run", Path.Combine(dir, "scenario.yaml"), "--out", output, "--quiet");

        Assert.True(exit == 0, stderr + stdout);
        Assert.Contains("mcp fs: secure-filesystem-server", stdout, StringComparison.Ordinal);
        var events = File.ReadAllLines(Path.Combine(output, "run.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var result = events.Single(e => e.GetProperty("action").GetString() == "TOOL_RESULT").GetProperty("payload");
        Assert.Equal("fs_read_text_file", result.GetProperty("tool").GetString());
        Assert.True(result.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public void Run_AToolNoServerHas_IsNamedAfterTheServersStarted()
    {
        var dir = _cli.Directory("scenario-bad");
        File.WriteAllText(Path.Combine(dir, "s.json"), "[]");
        File.WriteAllText(Path.Combine(dir, "scenario.yaml"), $$"""
            topic: mcp-bad
            mcp:
              fs: { command: {{Npm.Node}}, args: [{{Npm.FilesystemServer}}, {{_root}}], prefix: fs_ }
            agents:
              - id: Reader
                model: scripted:s.json
                tools: [no_such_tool]
            """);

        var (exit, _, stderr) = CliRun.Run("run", Path.Combine(dir, "scenario.yaml"), "--quiet", "--out", _cli.Output("o"));

        Assert.True(exit == 2, stderr);
        Assert.Contains("agent Reader: unknown tool 'no_such_tool'; known:", stderr, StringComparison.Ordinal);
        Assert.Contains("fs_read_text_file", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_AnMcpToolNamedLikeABuiltInTool_AsksForAPrefix()
    {
        var dir = _cli.Directory("scenario-clash");
        File.WriteAllText(Path.Combine(dir, "s.json"), "[]");
        File.WriteAllText(Path.Combine(dir, "scenario.yaml"), $"""
            topic: mcp-clash
            mcp:
              fs: {FilesystemCommand}
            agents:
              - id: Reader
                model: scripted:s.json
            """);

        var (exit, _, stderr) = CliRun.Run("run", Path.Combine(dir, "scenario.yaml"), "--quiet", "--out", _cli.Output("o"));

        Assert.Equal(1, exit);
        Assert.Contains("mcp.fs: MCP server 'fs' has a tool 'read_file', and a tool of that name is already registered", stderr, StringComparison.Ordinal);
        Assert.Contains("ToolPrefix", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_AnMcpEntryWithoutCommandOrUrl_NamesTheLine()
    {
        var dir = _cli.Directory("scenario-invalid");
        File.WriteAllText(Path.Combine(dir, "s.json"), "[]");
        var file = Path.Combine(dir, "scenario.yaml");
        File.WriteAllText(file, """
            topic: mcp-invalid
            mcp:
              fs: { prefix: fs_ }
            agents:
              - id: Reader
                model: scripted:s.json
            """);

        var (exit, _, stderr) = CliRun.Run("run", file);

        Assert.Equal(2, exit);
        Assert.Contains($"{file}:3:", stderr, StringComparison.Ordinal);
        Assert.Contains("mcp.fs: exactly one of 'command' and 'url' is required.", stderr, StringComparison.Ordinal);
    }

    /// <summary>Runs tests/npm/mcp-client.mjs (the MCP TypeScript SDK's client) against <c>dotnet Murmur.Cli.dll ARGS</c>.</summary>
    private static JsonElement McpClient(params string[] args)
    {
        var dll = typeof(CliRun).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MurmurDll").Value!;
        var start = new ProcessStartInfo(Npm.Node) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Npm.Folder };
        start.ArgumentList.Add(Path.Combine(Npm.Folder, "mcp-client.mjs"));
        var split = Array.IndexOf(args, "--");
        foreach (var a in args[..(split + 1)])
        {
            start.ArgumentList.Add(a);
        }
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(dll);
        foreach (var a in args[(split + 1)..])
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "the MCP client did not finish within 60 s");
        Assert.True(process.ExitCode == 0, $"mcp-client exited {process.ExitCode}: {stderr.Result}");
        return JsonDocument.Parse(stdout.Result).RootElement.Clone();
    }
}
