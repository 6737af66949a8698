using System.CommandLine;
using System.Net;
using Murmur.Cli.Dashboard;
using Murmur.Cli.Mesh;
using Murmur.Logs;

namespace Murmur.Cli.Commands;

/// <summary><c>murmur dashboard --log URL</c>: a live page of the approvals that wait (Approve/Deny when allowed), nodes, topics and their diagrams.</summary>
internal sealed class DashboardCommand : ICommand
{
    public Command Build()
    {
        var port = new Option<int>("--port") { HelpName = "N", Description = "the port (0 picks a free one)", DefaultValueFactory = _ => new DashboardOptions().Port };
        port.Check(v => v is >= 0 and <= 65535, _ => "--port takes a number from 0 to 65535.");
        var bind = new Option<string>("--bind") { HelpName = "ADDRESS", Description = "the address to listen on (default 127.0.0.1: only this machine)" };
        var allow = new Option<bool>("--allow-approvals") { Description = "let the page approve and deny" };
        var topics = new Option<string[]>("--topic") { HelpName = "T", Description = "a topic the page follows besides the announced tasks' (repeatable)" };
        var named = new Option<string>("--as") { HelpName = "NAME", Description = "who decides, without signing (default: the configured node id, else the login name)" };
        var command = new MurmurCommand("dashboard", "serve a live page of the mesh: approvals waiting (Approve/Deny with --allow-approvals), nodes, topics and their space-time diagrams, dead letters")
        {
            Details = $"""
                Serves one self-contained page (no CDN) that lists, live over Server-Sent Events, the tool calls waiting
                for approval in '{AI.Approvals.ApprovalDesk.LogTopic}' and the entries refused there; the nodes of the
                fleet with their state (alive, suspected, down, left), phi and agents, as 'murmur nodes' reads them; the
                topics it follows — every task announced on '{TaskRequest.ControlTopic}' (as 'murmur task list' reads them,
                and each one announced while it runs) plus each --topic T — with their members, events, completions
                (TASK_COMPLETE), strict round and state; and their dead letters with reasons, as 'murmur log dead-letters'
                finds them (checked with this command's --sign-key/--trust-keys). Clicking a topic shows its live
                space-time diagram, drawn as 'murmur trace' draws it, over its latest {new DashboardOptions().DiagramEvents} events, with a time axis, Zoom to
                fit and follow the tail. Read-only unless started with --allow-approvals: then each approval has Approve
                and Deny buttons, which decide as NAME (with --sign-key, as the key's node). Runs until Ctrl-C.

                {MeshOptions.Help}

                exit codes: 0 stopped, 1 the log is unreachable or the port is taken, 2 usage error.
                """,
        };
        command.Options.Add(port);
        command.Options.Add(bind);
        command.Options.Add(allow);
        command.Options.Add(topics);
        command.Options.Add(named);
        var mesh = MeshOptions.AddTo(command);
        command.SetRun((parse, stdout, stderr) =>
        {
            var watched = parse.GetValue(topics) ?? [];
            if (watched.FirstOrDefault(t => TopicName.Check(t) is not null) is { } bad)
            {
                throw new UsageException($"--topic '{bad}' is invalid: {TopicName.Check(bad)}.");
            }
            var options = new DashboardOptions() with { Port = parse.GetValue(port), AllowApprovals = parse.GetValue(allow), Topics = watched };
            if (parse.GetValue(bind) is { } address)
            {
                options = options with { Bind = IPAddress.TryParse(address, out var a) ? a : throw new UsageException($"--bind '{address}' is not an IP address.") };
            }
            return Run(mesh(parse), options, parse.GetValue(named), stdout, stderr);
        });
        return command;
    }

    private static int Run(MeshOptions mesh, DashboardOptions options, string? named, TextWriter stdout, TextWriter stderr)
    {
        var setup = mesh.Resolve();
        options = options with { Principal = ApprovalPrincipal.Of(setup, named), Signing = setup.Signing };
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        return ServeAsync(setup, options, stdout, stderr, stop.Token).GetAwaiter().GetResult();
    }

    private static async Task<int> ServeAsync(Configuration.NodeSetup setup, DashboardOptions options, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            await using var connected = await setup.ConnectAsync(cancellationToken: cancellationToken);
            MeshOptions.WriteWarnings(setup, "dashboard", stderr);
            await using var server = await DashboardServer.StartAsync(connected, options, cancellationToken);
            stdout.WriteLine($"dashboard on {server.Address} ({(options.AllowApprovals ? $"approvals allowed, deciding as {options.Principal}" : "read-only")}); Ctrl-C stops");
            await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            return ExitCodes.Ok;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
        catch (EventLogException ex)
        {
            stderr.WriteLine($"murmur dashboard: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (IOException ex)
        {
            stderr.WriteLine($"murmur dashboard: cannot listen on {options.Bind}:{options.Port}: {ex.Message}");
            return ExitCodes.Failed;
        }
    }
}
