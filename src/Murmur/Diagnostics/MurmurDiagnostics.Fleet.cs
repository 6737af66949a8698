using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Murmur.Diagnostics;

public static partial class MurmurDiagnostics
{
    internal static readonly Counter<long> AgentsFenced = Meter.CreateCounter<long>("murmur.fleet.fenced", "{agent}", "Local copies of agents stopped because another node claimed them at a later epoch (zombies).");
    internal static readonly Counter<long> NodesSuspected = Meter.CreateCounter<long>("murmur.fleet.suspected", "{node}", "Times this node began to suspect another node (phi at or above the threshold).");
    internal static readonly Counter<long> NodesDown = Meter.CreateCounter<long>("murmur.fleet.down", "{node}", "NODE_DOWN declarations this node appended (the log keeps one per node and incarnation).");
    internal static readonly Counter<long> Takeovers = Meter.CreateCounter<long>("murmur.fleet.takeovers", "{agent}", "Agents this node claimed and resumed (a takeover or a rejoin).");

    /// <summary>Counts a fleet event about <paramref name="node"/>.</summary>
    internal static void CountFleet(Counter<long> counter, string node)
    {
        if (counter.Enabled)
        {
            counter.Add(1, new KeyValuePair<string, object?>("murmur.node", node));
        }
    }

    /// <summary>A span around a fleet decision: <c>fleet suspect</c>, <c>fleet down</c>, <c>fleet takeover</c>.</summary>
    internal static Activity? StartFleet(string what, string node, string? agent = null)
    {
        var activity = Source.StartActivity("fleet " + what, ActivityKind.Internal);
        activity?.SetTag("murmur.node", node);
        if (agent is not null)
        {
            activity?.SetTag("murmur.agent", agent);
        }
        return activity;
    }
}
