using System.CommandLine;
using System.Text.Json;
using Murmur.AI.Tools;
using Murmur.AI.Tools.Mesh;
using Murmur.Cli.Mesh;
using Murmur.Configuration;
using Murmur.Logs;

namespace Murmur.Cli.Commands;

/// <summary><c>murmur tool call NAME --log URL [--node ID] [--args JSON] [--wait SECONDS]</c>: one call of a tool another node serves.</summary>
internal static class RemoteToolCall
{
    /// <summary>The <c>tool call</c> command.</summary>
    public static Command Build()
    {
        var name = new Argument<string>("NAME") { Description = "the tool" }.RefusingOptions();
        var host = new Option<string>("--node") { HelpName = "ID", Description = "the node to call (default: the first that serves NAME)" };
        var json = ToolCommand.ArgsOption();
        var wait = new Option<double>("--wait") { HelpName = "SECONDS", Description = "how long to wait for a host and for the answer", DefaultValueFactory = _ => 30 };
        wait.Check(v => v is > 0 and <= 86_400, v => $"--wait must be a number of seconds between 0 and 86400; got '{v}'");
        var call = new MurmurCommand("call", "call a tool another node of the tool mesh serves, through the log")
        {
            Arguments = { name },
            Options = { host, json, wait },
        };
        var mesh = MeshOptions.AddTo(call);
        call.SetRun((parse, stdout, stderr) => Run(parse.GetValue(name)!, parse.GetValue(host), parse.GetValue(json)!, TimeSpan.FromSeconds(parse.GetValue(wait)), mesh(parse), stdout, stderr));
        return call;
    }

    private static int Run(string name, string? host, string json, TimeSpan wait, MeshOptions mesh, TextWriter stdout, TextWriter stderr)
    {
        var setup = mesh.Resolve();
        try
        {
            var arguments = ToolCommand.ParseArguments(json);
            var line = CallAsync(setup, name, host, arguments, wait, stderr).GetAwaiter().GetResult();
            stdout.WriteLine(line);
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is ArgumentException or EventLogException or TimeoutException or InvalidOperationException)
        {
            stderr.WriteLine($"murmur tool: {ToolCommand.Message(ex)}");
            return ExitCodes.Failed;
        }
    }

    private static async Task<string> CallAsync(NodeSetup setup, string name, string? host, IDictionary<string, object?> arguments, TimeSpan wait, TextWriter stderr)
    {
        using var deadline = new CancellationTokenSource(wait);
        var connected = await setup.ConnectAsync(cancellationToken: deadline.Token);
        MeshOptions.WriteWarnings(setup, "tool", stderr);
        await using var node = await MurmurNode.StartAsync(o =>
        {
            o.UseLog(_ => Task.FromResult(connected), ownsLog: true);
            o.Options = o.Options with
            {
                NodeId = setup.NodeId ?? $"cli-{Environment.MachineName}-{Environment.ProcessId}",
                Signing = setup.Signing,
                Runtime = o.Options.Runtime with { LoggerFactory = new WarningLoggerFactory("tool", stderr) },
            };
        });
        await using var mesh = await node.JoinToolMeshAsync(new ToolMeshOptions { CallTimeout = wait });
        try
        {
            host ??= (await mesh.WaitForToolAsync(name, deadline.Token)).Node;
            if (!mesh.Nodes.Any(n => n.NodeId == host && n.Hosts(name)))
            {
                await mesh.WaitForNodeAsync(host, cancellationToken: deadline.Token);
            }
        }
        catch (OperationCanceledException)
        {
            var known = string.Join(", ", mesh.Nodes.Select(n => $"{n.NodeId} [{string.Join(", ", n.Tools.Select(t => t.Name))}]"));
            throw new TimeoutException($"no node of the mesh on {setup.LogAddress} served '{name}'{(host is null ? "" : $" as node '{host}'")} within {wait.TotalSeconds:0.###} s; nodes: [{known}]");
        }
        var reply = await mesh.CallAsync(host, name, arguments, "cli_" + Guid.NewGuid().ToString("N"), $"murmur-tool-call@{node.NodeId}");
        if (!reply.Ok)
        {
            throw new InvalidOperationException(reply.Error);
        }
        return JsonSerializer.Serialize(new
        {
            tool = name,
            host = reply.Host,
            ok = true,
            result = reply.Result,
            elapsed_us = (long)reply.RoundTrip.TotalMicroseconds,
            tool_us = reply.HostElapsed is { } t ? (long?)t.TotalMicroseconds : null,
        }, ToolCommand.Output);
    }
}
