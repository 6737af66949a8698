using System.CommandLine;
using System.Globalization;
using Murmur.Cli.Mesh;
using Murmur.Configuration;
using Murmur.Fleet;
using Murmur.Logs;

namespace Murmur.Cli.Commands;

/// <summary><c>murmur nodes --log URL</c>: the nodes of the fleet, their state, φ and the agents they own.</summary>
internal sealed class NodesCommand : ICommand
{
    public Command Build()
    {
        var watch = new Option<int>("--watch-ms") { HelpName = "N", Description = "how long to watch before printing, in ms", DefaultValueFactory = _ => 2000 };
        watch.Check(v => v is >= 0 and <= 600_000, _ => "--watch-ms takes a number of milliseconds from 0 to 600000.");
        var json = new Option<bool>("--json") { Description = "one JSON object per node instead of a table" };
        var command = new MurmurCommand("nodes", "list the nodes of the fleet: alive, suspected, down or left, their phi and the agents they own")
        {
            Details = $"""
                Watches the fleet's membership store for N ms (default 2000: long enough to see each live node beat a few
                times), then prints one line per node: its state (alive, suspected, down — a NODE_DOWN is in the log —,
                left, or unknown: announced but not beating while watched, e.g. a node that died before anyone declared
                it down), phi, incarnation, start time, the agent kinds it offers and the agents it owns.

                {MeshOptions.Help}

                exit codes: 0 listed, 1 the log is unreachable or has no fleet store, 2 usage error.
                """,
        };
        command.Options.Add(watch);
        command.Options.Add(json);
        var mesh = MeshOptions.AddTo(command);
        command.SetRun((parse, stdout, stderr) => ListAsync(mesh(parse).Resolve(), TimeSpan.FromMilliseconds(parse.GetValue(watch)), parse.GetValue(json), stdout, stderr).GetAwaiter().GetResult());
        return command;
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
                    : $"{a.Node,-16} {state,-10} phi {Math.Min(m.Phi, 999),6:0.0}  incarnation {a.Incarnation}  started {started}  kinds [{string.Join(",", a.Kinds)}]  agents {Agents(a.Agents)}");
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

    /// <summary>How many agents a node owns and the first few of them (a node may own thousands; <c>--json</c> lists all).</summary>
    private static string Agents(IReadOnlyList<OwnedAgent> agents)
    {
        const int Shown = 5;
        var names = string.Join(", ", agents.Take(Shown).Select(x => x.Agent));
        return agents.Count <= Shown ? $"{agents.Count} [{names}]" : $"{agents.Count} [{names}, … {agents.Count - Shown} more; --json lists all]";
    }
}
