using System.Globalization;
using System.Text.Json;
using Murmur.AI.Tools;
using Murmur.Cli.Mesh;
using Murmur.Configuration;

namespace Murmur.Cli.Commands;

/// <summary><c>murmur tool call NAME --log URL [--node ID] [--args JSON] [--wait SECONDS]</c>: one call of a tool another node serves.</summary>
internal static class RemoteToolCall
{
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        string? name = null, host = null, json = null;
        var mesh = new MeshOptions();
        var wait = TimeSpan.FromSeconds(30);
        for (var i = 1; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"'{args[i]}' needs a value");
            switch (args[i])
            {
                case "--node": host = Value(); break;
                case "--args": json = Value(); break;
                case "--wait":
                    var seconds = Value();
                    wait = double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 && s <= 86_400
                        ? TimeSpan.FromSeconds(s)
                        : throw new UsageException($"--wait must be a number of seconds between 0 and 86400; got '{seconds}'");
                    break;
                case var option when option.StartsWith('-'):
                    if (!mesh.TryRead(args, ref i))
                    {
                        throw new UsageException($"unknown option '{option}'");
                    }
                    break;
                case var tool when name is null: name = tool; break;
                default: throw new UsageException($"only one tool NAME is accepted; got '{name}' and '{args[i]}'");
            }
        }
        if (name is null)
        {
            throw new UsageException("missing tool NAME");
        }
        var setup = mesh.Resolve();
        try
        {
            var arguments = ToolCommand.ParseArguments(json ?? "{}");
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
