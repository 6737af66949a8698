using System.Net;
using Murmur.Cli.Dashboard;
using Murmur.Cli.Mesh;

namespace Murmur.Cli.Commands;

/// <summary><c>murmur dashboard --log URL</c>: a live page of the approvals that wait, with Approve/Deny when allowed.</summary>
internal sealed class DashboardCommand : ICommand
{
    public string Name => "dashboard";

    public string Summary => "serve a live page of the tool calls waiting for approval (Approve/Deny with --allow-approvals)";

    public string Usage => $"""
        usage: murmur dashboard --log URL [--port N] [--bind ADDRESS] [--allow-approvals] [--as NAME]

        Serves one self-contained page (no CDN) that lists, live over Server-Sent Events, the tool calls waiting
        for approval in '{AI.Approvals.ApprovalDesk.LogTopic}' and the entries refused there. Read-only unless
        started with --allow-approvals: then each row has Approve and Deny buttons, which decide as NAME (with
        --sign-key, as the key's node). Runs until Ctrl-C.

        options:
          --port N            the port (default 8088; 0 picks a free one)
          --bind ADDRESS      the address to listen on (default 127.0.0.1: only this machine)
          --allow-approvals   let the page approve and deny
          --as NAME           who decides, without signing (default: the configured node id, else the login name)
          -h, --help          print this help.

        {MeshOptions.Help}

        exit codes: 0 stopped, 1 the log is unreachable or the port is taken, 2 usage error.

        """;

    public int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var mesh = new MeshOptions();
        var options = new DashboardOptions();
        string? named = null;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"'{args[i]}' needs a value.");
            switch (args[i])
            {
                case "--port": options = options with { Port = int.TryParse(Value(), out var p) && p is >= 0 and <= 65535 ? p : throw new UsageException("--port takes a number from 0 to 65535.") }; break;
                case "--bind": options = options with { Bind = IPAddress.TryParse(Value(), out var a) ? a : throw new UsageException($"--bind '{args[i]}' is not an IP address.") }; break;
                case "--allow-approvals": options = options with { AllowApprovals = true }; break;
                case "--as": named = Value(); break;
                default:
                    if (!mesh.TryRead(args, ref i))
                    {
                        throw new UsageException($"unknown option '{args[i]}'.");
                    }
                    break;
            }
        }
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
