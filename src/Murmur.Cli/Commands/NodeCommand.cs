using System.Globalization;
using Murmur.Cli.Mesh;
using Murmur.Configuration;
using Murmur.Fleet;
using Murmur.Mcp;

namespace Murmur.Cli.Commands;

/// <summary><c>murmur node --log URL --agents researcher,coder --root DIR</c>: a long-running node of a mesh.</summary>
internal sealed class NodeCommand : ICommand
{
    private static readonly string[] KnownRoles = ["researcher", "coder", "reviewer"];

    public string Name => "node";

    public string Summary => "run a long-lived node that hosts agents and tools and joins the tasks announced on the log";

    public string Usage => $"""
        usage: murmur node --log URL (--agents ROLE[,ROLE…] | --takeover ROLE[,ROLE…] | --serve-tools) --root DIR [--node-id ID]
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

        options:
          --agents ROLES   comma-separated roles to host
          --serve-tools    serve grep_search, read_file, list_files and propose_patch to the mesh
          --root DIR       the source tree the tools may read
          --node-id ID     this node's name (default: the signing key's node, else the host name); agent ids are ROLE_ID_TASK
          --takeover ROLES roles this node takes over from a dead node without joining new tasks as them (a standby);
                           the roles of --agents are taken over too
          --think-ms N     the demo agents' modelled think time per step (default 20)
          --heartbeat-ms N          fleet: announce this node every N ms (default 500)
          --acceptable-pause-ms N   fleet: silence of another node that is never suspicious on its own (default 1500)
          --phi-threshold X         fleet: phi at which a silent node is declared down (default 8)
          --mcp NAME=CMD   attach an MCP server (repeatable): a command line this node starts and supervises
                           (restarted with backoff when it exits, stopped with the node), or NAME=URL for a
                           Streamable HTTP server. Its tools join the node's tools (served with --serve-tools);
                           they run with this node's rights, not confined to DIR.
          -h, --help       print this help.

        {MeshOptions.Help}

        Fleet (NATS logs): the node announces itself and beats; a node silent past the detection time is declared
        down in the log, and a node with the same role claims and resumes its agents (the old owner is fenced). Restarted
        with the same --node-id, a node re-attaches to the unfinished agents it owned, unless others took them over.
        See docs/fleet.md.

        exit codes: 0 stopped, 1 the log is unreachable or failed, the node's runtime stopped, or the fleet declared
        this node down (its agents were taken over: start it again), 2 usage error.

        """;

    public int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        string? agents = null, root = null, nodeId = null, takeover = null;
        var think = TimeSpan.FromMilliseconds(20);
        var serveTools = false;
        var fleet = FleetOptions.Default;
        var mesh = new MeshOptions();
        var mcp = new List<McpServerSpec>();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"'{args[i]}' needs a value.");
            switch (args[i])
            {
                case "--agents": agents = Value(); break;
                case "--root": root = Value(); break;
                case "--node-id": nodeId = Value(); break;
                case "--takeover": takeover = Value(); break;
                case "--think-ms": think = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t <= 60_000 ? TimeSpan.FromMilliseconds(t) : throw new UsageException("--think-ms takes a number of milliseconds from 0 to 60000."); break;
                case "--serve-tools": serveTools = true; break;
                case "--mcp": mcp.Add(ParseMcp(Value())); break;
                case "--heartbeat-ms":
                    var beat = Milliseconds(args[i], Value());
                    fleet = fleet with { HeartbeatInterval = beat, Detector = fleet.Detector with { FirstHeartbeatEstimate = beat } };
                    break;
                case "--acceptable-pause-ms": fleet = fleet with { Detector = fleet.Detector with { AcceptableHeartbeatPause = Milliseconds(args[i], Value()) } }; break;
                case "--phi-threshold":
                    fleet = fleet with { Detector = fleet.Detector with { Threshold = double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var phi) && phi is > 0 and < 1000 ? phi : throw new UsageException("--phi-threshold takes a number above 0 (e.g. 8).") } };
                    break;
                default:
                    if (!mesh.TryRead(args, ref i))
                    {
                        throw new UsageException($"unknown option '{args[i]}'.");
                    }
                    break;
            }
        }
        if (agents is null && takeover is null && !serveTools)
        {
            throw new UsageException("--agents, --takeover or --serve-tools is required (e.g. --agents researcher,coder).");
        }
        var roles = Roles("--agents", agents);
        var standby = Roles("--takeover", takeover);
        if (root is null || !Directory.Exists(root))
        {
            throw new UsageException(root is null ? "--root is required." : $"the root folder '{root}' does not exist.");
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

    private static TimeSpan Milliseconds(string option, string value)
        => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms is > 0 and <= 600_000
            ? TimeSpan.FromMilliseconds(ms)
            : throw new UsageException($"{option} takes a number of milliseconds from 1 to 600000.");

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
