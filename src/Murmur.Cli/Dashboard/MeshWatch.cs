using Murmur.Fleet;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.Cli.Dashboard;

/// <summary>
/// What the dashboard shows besides approvals: the fleet's nodes as <c>murmur nodes</c> reads them (an observe-only
/// fleet member: it never announces itself or claims agents), and the followed topics (<see cref="TopicWatch"/>) with
/// their dead letters as <c>murmur log dead-letters</c> finds them (a node that follows the topics with this
/// dashboard's keys and never joins them).
/// </summary>
internal sealed class MeshWatch : IAsyncDisposable
{
    private readonly MurmurNode _node;
    private readonly MurmurFleet? _fleet;

    private MeshWatch(MurmurNode node, MurmurFleet? fleet, string? fleetProblem, TopicWatch topics)
    {
        _node = node;
        _fleet = fleet;
        FleetProblem = fleetProblem;
        Topics = topics;
    }

    /// <summary>The followed topics: announced tasks and <c>--topic</c> ones.</summary>
    public TopicWatch Topics { get; }

    /// <summary>Why there is no node list (a log without a membership store), or null.</summary>
    public string? FleetProblem { get; }

    /// <summary>The nodes of the fleet, with their state and phi now.</summary>
    public IReadOnlyList<FleetMember> Nodes => _fleet?.Members ?? [];

    /// <summary>The entries of the watched topics a node refuses, with reasons.</summary>
    public IReadOnlyList<DeadLetterEvent> DeadLetters => _node.DeadLetters.Items;

    public static async Task<MeshWatch> StartAsync(IEventLog log, DashboardOptions options, CancellationToken cancellationToken = default)
    {
        var node = await MurmurNode.StartAsync(o =>
        {
            o.UseLog(log);
            o.Options = o.Options with
            {
                NodeId = $"dashboard-{Environment.ProcessId}-{Guid.NewGuid():N}"[..32],
                Signing = options.Signing,
                // The diagrams keep their own window; the node needs little history (a lagging watcher reads back from the log).
                History = new HistoryOptions { MaxEvents = Math.Max(1000, options.DiagramEvents) },
            };
        });
        try
        {
            MurmurFleet? fleet = null;
            string? problem = null;
            try
            {
                fleet = await MurmurFleet.StartAsync(node, FleetOptions.Default with { ObserveOnly = true }, cancellationToken);
            }
            catch (NotSupportedException ex)
            {
                problem = ex.Message;
            }
            try
            {
                return new MeshWatch(node, fleet, problem, await TopicWatch.StartAsync(node, log, options, cancellationToken));
            }
            catch
            {
                if (fleet is not null)
                {
                    await fleet.DisposeAsync();
                }
                throw;
            }
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Topics.DisposeAsync();
        if (_fleet is not null)
        {
            await _fleet.DisposeAsync();
        }
        await _node.DisposeAsync();
    }
}
