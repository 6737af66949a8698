using System.CommandLine;
using Murmur.Cli.Mesh;
using Murmur.Configuration;
using Murmur.Fleet;
using Murmur.Logs;
using Murmur.Mcp;

namespace Murmur.Cli.Commands;

/// <summary><c>murmur node --log URL --agents researcher,coder --root DIR</c>: a long-running node of a mesh.</summary>
internal sealed class NodeCommand : ICommand
{
    private static readonly string[] KnownRoles = ["researcher", "coder", "reviewer"];

    public Command Build()
    {
        var agents = new Option<string>("--agents") { HelpName = "ROLES", Description = "comma-separated roles to host (researcher, coder, reviewer)" };
        var serveTools = new Option<bool>("--serve-tools") { Description = "serve grep_search, read_file, list_files and propose_patch to the mesh" };
        var root = new Option<string>("--root") { HelpName = "DIR", Description = "the source tree the tools may read", Required = true };
        var nodeId = new Option<string>("--node-id") { HelpName = "ID", Description = "this node's name (default: the signing key's node, else the host name); agent ids are ROLE_ID_TASK" };
        var takeover = new Option<string>("--takeover") { HelpName = "ROLES", Description = "roles this node takes over from a dead node without joining new tasks as them (a standby); the roles of --agents are taken over too" };
        var think = new Option<int>("--think-ms") { HelpName = "N", Description = "the demo agents' modelled think time per step", DefaultValueFactory = _ => 20 };
        think.Check(v => v is >= 0 and <= 60_000, _ => "--think-ms takes a number of milliseconds from 0 to 60000.");
        var heartbeat = Milliseconds("--heartbeat-ms", "fleet: announce this node every N ms (default 500)");
        var pause = Milliseconds("--acceptable-pause-ms", "fleet: silence of another node that is never suspicious on its own (default 1500)");
        var phi = new Option<double?>("--phi-threshold") { HelpName = "X", Description = "fleet: phi at which a silent node is declared down (default 8)" };
        phi.Check(v => v is null or (> 0 and < 1000), _ => "--phi-threshold takes a number above 0 (e.g. 8).");
        var mcp = new Option<string[]>("--mcp")
        {
            HelpName = "NAME=CMD",
            Description = "attach an MCP server (repeatable): a command line this node starts and supervises (restarted with backoff when it exits, stopped with the node), or NAME=URL for a Streamable HTTP server. Its tools join the node's tools (served with --serve-tools); they run with this node's rights, not confined to DIR.",
        };
        var command = new MurmurCommand("node", "run a long-lived node that hosts agents and tools and joins the tasks announced on the log")
        {
            Details = $"""
                                   [--sign-key KEYID.pem --trust-keys DIR] [--nats-nkey FILE] [--tls-ca FILE] [--config FILE] …
                                   [--mcp NAME=COMMAND | --mcp NAME=URL]…

                Connects to the shared log, follows the control topic '{TaskRequest.ControlTopic}', and for every task that
                'murmur task start' announces from then on, joins the task's topic with one agent per ROLE (researcher,
                coder, reviewer — the demo's scripted agents) named ROLE_ID_TASK. Tools (grep_search, read_file, propose_patch…) run
                on this node, confined to DIR. With --serve-tools the node also joins the tool mesh and serves its read-only
                built-in tools to other nodes through the log ('murmur tool call NAME --log URL' calls one). Runs until
                interrupted (Ctrl-C).

                With --sign-key the node signs every event it appends and refuses, as dead letters printed on stderr, events
                and task announcements not signed by a key of --trust-keys; without it the node warns that the mesh is open.

                {MeshOptions.Help}

                Fleet (NATS logs): the node announces itself and beats; a node silent past the detection time is declared
                down in the log, and a node with the same role claims and resumes its agents (the old owner is fenced). Restarted
                with the same --node-id, a node re-attaches to the unfinished agents it owned, unless others took them over.
                See docs/fleet.md.

                exit codes: 0 stopped, 1 the log is unreachable or failed, the node's runtime stopped, or the fleet declared
                this node down (its agents were taken over: start it again), 2 usage error.
                """,
            Options = { agents, serveTools, root, nodeId, takeover, think, heartbeat, pause, phi, mcp },
        };
        var mesh = MeshOptions.AddTo(command);
        command.SetRun((parse, stdout, stderr) =>
        {
            var fleet = FleetOptions.Default;
            if (parse.GetValue(heartbeat) is { } beat)
            {
                fleet = fleet with { HeartbeatInterval = TimeSpan.FromMilliseconds(beat), Detector = fleet.Detector with { FirstHeartbeatEstimate = TimeSpan.FromMilliseconds(beat) } };
            }
            if (parse.GetValue(pause) is { } acceptable)
            {
                fleet = fleet with { Detector = fleet.Detector with { AcceptableHeartbeatPause = TimeSpan.FromMilliseconds(acceptable) } };
            }
            if (parse.GetValue(phi) is { } threshold)
            {
                fleet = fleet with { Detector = fleet.Detector with { Threshold = threshold } };
            }
            var servers = (parse.GetValue(mcp) ?? []).Select(ParseMcp).ToList();
            return Run(parse.GetValue(agents), parse.GetValue(takeover), parse.GetValue(serveTools), parse.GetValue(root)!, parse.GetValue(nodeId), TimeSpan.FromMilliseconds(parse.GetValue(think)), fleet, servers, mesh(parse), stdout, stderr);
        });
        return command;
    }

    private static int Run(string? agents, string? takeover, bool serveTools, string root, string? nodeId, TimeSpan think, FleetOptions fleet, List<McpServerSpec> mcp, MeshOptions mesh, TextWriter stdout, TextWriter stderr)
    {
        if (agents is null && takeover is null && !serveTools)
        {
            throw new UsageException("--agents, --takeover or --serve-tools is required (e.g. --agents researcher,coder).");
        }
        var roles = Roles("--agents", agents);
        var standby = Roles("--takeover", takeover);
        if (!Directory.Exists(root))
        {
            throw new UsageException($"the root folder '{root}' does not exist.");
        }
        if (nodeId is not null)
        {
            mesh.SetNodeId(nodeId);
        }
        var setup = mesh.Resolve();
        nodeId = setup.NodeId ?? Environment.MachineName;
        if (TopicName.Check(nodeId) is { } bad)
        {
            throw new UsageException($"--node-id '{nodeId}' is invalid: {bad}.");
        }
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        var settings = new MeshSettings(roles, [.. roles.Union(standby)], think);
        return RunAsync(setup, settings, Path.GetFullPath(root), nodeId, serveTools, stdout, stderr, stop.Token, mcp, fleet).GetAwaiter().GetResult();
    }

    private static string[] Roles(string option, string? list)
    {
        var roles = list?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        if (list is not null && roles.Length == 0)
        {
            throw new UsageException($"{option} needs at least one role; known: {string.Join(", ", KnownRoles)}.");
        }
        if (roles.FirstOrDefault(r => !KnownRoles.Contains(r)) is { } unknown)
        {
            throw new UsageException($"unknown agent role '{unknown}'; known: {string.Join(", ", KnownRoles)}.");
        }
        return roles;
    }

    private static Option<int?> Milliseconds(string name, string description)
    {
        var option = new Option<int?>(name) { HelpName = "N", Description = description };
        option.Check(v => v is null or (> 0 and <= 600_000), _ => $"{name} takes a number of milliseconds from 1 to 600000.");
        return option;
    }

    private static McpServerSpec ParseMcp(string value)
    {
        try
        {
            return McpServerSpec.Parse(value);
        }
        catch (FormatException ex)
        {
            throw new UsageException($"--mcp: {ex.Message}");
        }
    }

    internal static async Task<int> RunAsync(NodeSetup setup, MeshSettings settings, string root, string nodeId, bool serveTools, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken, IReadOnlyList<McpServerSpec>? mcp = null, FleetOptions? fleetOptions = null)
    {
        MurmurNode node;
        try
        {
            var connected = await setup.ConnectAsync(cancellationToken: cancellationToken);
            node = await MurmurNode.StartAsync(o =>
            {
                o.UseLog(_ => Task.FromResult(connected), ownsLog: true);
                o.Options = o.Options with
                {
                    NodeId = nodeId,
                    Signing = setup.Signing,
                    Runtime = o.Options.Runtime with { LoggerFactory = new WarningLoggerFactory("node", stderr) },
                };
            }, cancellationToken);
        }
        catch (EventLogException ex)
        {
            stderr.WriteLine($"murmur node: {ex.Message}");
            return ExitCodes.Failed;
        }
        using var control = ControlSigning.Create(setup.Signing);
        await using (node)
        {
            stdout.WriteLine($"node {nodeId} connected: {setup.Describe()}");
            MeshOptions.WriteWarnings(setup, "node", stderr);
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            string? why = null;
            void End(string reason)
            {
                try
                {
                    why ??= reason;
                    ended.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The node stopped normally; its runtime completing afterwards is no news.
                }
            }
            _ = node.Runtime.Completion.ContinueWith(t => End($"the node's runtime stopped ({t.Exception?.InnerException?.Message ?? "its root supervisor gave up"}); exiting so a supervisor (systemd, Kubernetes) starts it again"), TaskScheduler.Default);
            MurmurFleet? fleet = null;
            try
            {
                fleet = await StartFleetAsync(node, settings, root, fleetOptions ?? FleetOptions.Default, stdout, stderr, cancellationToken);
                if (fleet is not null)
                {
                    fleet.DeclaredDown += down => End($"this node (incarnation {down.Incarnation}) was declared down by node {down.By}; its agents were taken over; exiting so it starts again as a new incarnation");
                }
                var mesh = new MeshNode(node, nodeId, settings, root, stdout, control?.Verifier, fleet) { McpServers = mcp ?? [] };
                if (fleet is not null)
                {
                    mesh.Watch(fleet, ended.Token);
                }
                await mesh.RunAsync(serveTools, ended.Token);
            }
            catch (OperationCanceledException) when (ended.IsCancellationRequested)
            {
                if (why is not null)
                {
                    stderr.WriteLine($"murmur node: {why}");
                    return ExitCodes.Failed;
                }
            }
            catch (EventLogException ex)
            {
                stderr.WriteLine($"murmur node: {ex.Message}");
                return ExitCodes.Failed;
            }
            catch (Exception ex) when (ex is McpToolException or InvalidOperationException && mcp is { Count: > 0 })
            {
                stderr.WriteLine($"murmur node: {ex.Message}");
                return ExitCodes.Failed;
            }
            finally
            {
                if (fleet is not null)
                {
                    await fleet.DisposeAsync();
                }
            }
        }
        stdout.WriteLine($"node {nodeId} stopped");
        return ExitCodes.Ok;
    }

    /// <summary>Joins the fleet of the log (re-attaching to what a previous run under this id owned); null, with a warning, when the log has no membership store.</summary>
    private static async Task<MurmurFleet?> StartFleetAsync(MurmurNode node, MeshSettings settings, string root, FleetOptions options, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            var fleet = await MurmurFleet.StartAsync(node, options with { Kinds = MeshNode.Kinds(settings, root) }, cancellationToken);
            stdout.WriteLine($"node {node.NodeId}: in the fleet as incarnation {fleet.Incarnation} (heartbeat {options.HeartbeatInterval.TotalMilliseconds:0} ms, acceptable pause {options.Detector.AcceptableHeartbeatPause.TotalMilliseconds:0} ms, phi threshold {options.Detector.Threshold})");
            return fleet;
        }
        catch (NotSupportedException ex)
        {
            stderr.WriteLine($"murmur node: warning: no fleet: {ex.Message} Agents of a node that dies are not taken over.");
            return null;
        }
    }
}
