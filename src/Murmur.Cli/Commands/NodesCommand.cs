using System.Globalization;
using Murmur.Cli.Mesh;
using Murmur.Configuration;
using Murmur.Fleet;

namespace Murmur.Cli.Commands;

/// <summary><c>murmur nodes --log URL</c>: the nodes of the fleet, their state, φ and the agents they own.</summary>
internal sealed class NodesCommand : ICommand
{
    public string Name => "nodes";

    public string Summary => "list the nodes of the fleet: alive, suspected, down or left, their phi and the agents they own";

    public string Usage => $"""
        usage: murmur nodes --log URL [--watch-ms N] [--json]

        Watches the fleet's membership store for N ms (default 2000: long enough to see each live node beat a few
        times), then prints one line per node: its state (alive, suspected, down — a NODE_DOWN is in the log —,
        left, or unknown: announced but not beating while watched, e.g. a node that died before anyone declared
        it down), phi, incarnation, start time, the agent kinds it offers and the agents it owns.

        options:
          --watch-ms N   how long to watch before printing (default 2000)
          --json         one JSON object per node instead of a table

        {MeshOptions.Help}

        exit codes: 0 listed, 1 the log is unreachable or has no fleet store, 2 usage error.

        """;

    public int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var mesh = new MeshOptions();
        var watch = TimeSpan.FromSeconds(2);
        var json = false;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"'{args[i]}' needs a value.");
            switch (args[i])
            {
                case "--watch-ms": watch = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= 600_000 ? TimeSpan.FromMilliseconds(ms) : throw new UsageException("--watch-ms takes a number of milliseconds from 0 to 600000."); break;
                case "--json": json = true; break;
                default:
                    if (!mesh.TryRead(args, ref i))
                    {
                        throw new UsageException($"unknown option '{args[i]}'.");
                    }
                    break;
            }
        }
        return ListAsync(mesh.Resolve(), watch, json, stdout, stderr).GetAwaiter().GetResult();
    }

    private static async Task<int> ListAsync(NodeSetup setup, TimeSpan watch, bool json, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            await using var connected = await setup.ConnectAsync();
            MeshOptions.WriteWarnings(setup, "nodes", stderr);
            await using var node = await MurmurNode.StartAsync(o =>
            {
                o.UseLog(connected);
                o.Options = o.Options with { NodeId = $"nodes-{Environment.ProcessId}", Signing = setup.Signing };
            });
            await using var fleet = await MurmurFleet.StartAsync(node, FleetOptions.Default with { ObserveOnly = true });
            await Task.Delay(watch);
            var members = fleet.Members;
            foreach (var m in members)
            {
                var a = m.Announcement;
                var state = m.State.ToString().ToLowerInvariant();
                var started = DateTimeOffset.FromUnixTimeMilliseconds(a.StartedAt).ToString("u", CultureInfo.InvariantCulture);
                stdout.WriteLine(json
                    ? System.Text.Json.JsonSerializer.Serialize(new { node = a.Node, state, phi = Math.Round(m.Phi, 2), incarnation = a.Incarnation, started_at = started, kinds = a.Kinds, tools = a.Tools, agents = a.Agents.Select(x => x.Agent) })
                    : $"{a.Node,-16} {state,-10} phi {Math.Min(m.Phi, 999),6:0.0}  incarnation {a.Incarnation}  started {started}  kinds [{string.Join(",", a.Kinds)}]  agents [{string.Join(", ", a.Agents.Select(x => x.Agent))}]");
            }
            if (members.Count == 0)
            {
                stderr.WriteLine("murmur nodes: no node has announced itself on this log");
            }
            return ExitCodes.Ok;
        }
        catch (NotSupportedException ex)
        {
            stderr.WriteLine($"murmur nodes: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (EventLogException ex)
        {
            stderr.WriteLine($"murmur nodes: {ex.Message}");
            return ExitCodes.Failed;
        }
    }
}
