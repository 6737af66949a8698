using Murmur.Cli.Mesh;
using Murmur.Configuration;
using Murmur.Mcp;

namespace Murmur.Cli.Commands;

/// <summary><c>murmur node --log URL --agents researcher,coder --root DIR</c>: a long-running node of a mesh.</summary>
internal sealed class NodeCommand : ICommand
{
    private static readonly string[] KnownRoles = ["researcher", "coder", "reviewer"];

    public string Name => "node";

    public string Summary => "run a long-lived node that hosts agents and tools and joins the tasks announced on the log";

    public string Usage => $"""
        usage: murmur node --log URL (--agents ROLE[,ROLE…] | --serve-tools | both) --root DIR [--node-id ID]
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
          --mcp NAME=CMD   attach an MCP server (repeatable): a command line this node starts and supervises
                           (restarted with backoff when it exits, stopped with the node), or NAME=URL for a
                           Streamable HTTP server. Its tools join the node's tools (served with --serve-tools);
                           they run with this node's rights, not confined to DIR.
          -h, --help       print this help.

        {MeshOptions.Help}

        exit codes: 0 stopped, 1 the log is unreachable or failed, 2 usage error.

        """;

    public int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        string? agents = null, root = null, nodeId = null;
        var serveTools = false;
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
                case "--serve-tools": serveTools = true; break;
                case "--mcp": mcp.Add(ParseMcp(Value())); break;
                default:
                    if (!mesh.TryRead(args, ref i))
                    {
                        throw new UsageException($"unknown option '{args[i]}'.");
                    }
                    break;
            }
        }
        if (agents is null && !serveTools)
        {
            throw new UsageException("--agents or --serve-tools is required (e.g. --agents researcher,coder).");
        }
        var roles = agents?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        if ((agents is not null && roles.Length == 0) || roles.FirstOrDefault(r => !KnownRoles.Contains(r)) is { } unknown)
        {
            throw new UsageException($"unknown agent role '{roles.FirstOrDefault(r => !KnownRoles.Contains(r))}'; known: {string.Join(", ", KnownRoles)}.");
        }
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
        return RunAsync(setup, roles, Path.GetFullPath(root), nodeId, serveTools, stdout, stderr, stop.Token, mcp).GetAwaiter().GetResult();
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

    internal static async Task<int> RunAsync(NodeSetup setup, IReadOnlyList<string> roles, string root, string nodeId, bool serveTools, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken, IReadOnlyList<McpServerSpec>? mcp = null)
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
            // A runtime whose root supervisor gave up hosts nothing any more: the process must not run on silently.
            using var runtimeDied = RuntimeWatch.Link(node.Runtime, cancellationToken);
            try
            {
                await new MeshNode(node, nodeId, roles, root, stdout, control?.Verifier) { McpServers = mcp ?? [] }.RunAsync(serveTools, runtimeDied.Token);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException) when (node.Runtime.Completion.IsCompleted)
            {
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
            if (RuntimeWatch.DeathLine(node.Runtime, nodeId, cancellationToken.IsCancellationRequested) is { } died)
            {
                stderr.WriteLine($"murmur node: {died}");
                return ExitCodes.Failed;
            }
        }
        stdout.WriteLine($"node {nodeId} stopped");
        return ExitCodes.Ok;
    }
}
