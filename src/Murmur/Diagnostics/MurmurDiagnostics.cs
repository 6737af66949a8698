using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Murmur.Diagnostics;

/// <summary>
/// Murmur's traces and metrics: one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named
/// <c>"Murmur"</c>. Subscribe with OpenTelemetry (<c>AddSource("Murmur")</c>, <c>AddMeter("Murmur")</c>) or any
/// <see cref="ActivityListener"/> / <see cref="MeterListener"/>; see <c>docs/observability.md</c>.
/// </summary>
/// <remarks>
/// Thread-safe. With no listener every instrumentation site costs a flag check: activities are started only
/// when <see cref="ActivitySource.HasListeners"/> and tagged measurements are taken only when the instrument is enabled.
/// </remarks>
public static partial class MurmurDiagnostics
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "Murmur";

    /// <summary>
    /// The source of Murmur's spans: <c>publish {action}</c>, <c>deliver</c>, <c>handle</c>; Murmur.AI adds the GenAI
    /// conventions' <c>invoke_agent {agent}</c>, <c>chat {model}</c>, <c>execute_tool {tool}</c> (its <c>AiDiagnostics</c>).
    /// </summary>
    public static ActivitySource Source { get; } = new(Name);

    /// <summary>The meter of Murmur's counters, histograms and gauges (<c>murmur.*</c>).</summary>
    public static Meter Meter { get; } = new(Name);

    internal static readonly Counter<long> EventsPublished = Meter.CreateCounter<long>("murmur.events.published", "{event}", "Events appended to the log by this process's agents.");
    internal static readonly Counter<long> EventsDelivered = Meter.CreateCounter<long>("murmur.events.delivered", "{event}", "Events delivered in causal order on this process's nodes.");
    internal static readonly Counter<long> EventsRejected = Meter.CreateCounter<long>("murmur.events.rejected", "{event}", "Events refused (dead letters): invalid, or breaking causality.");
    internal static readonly Counter<long> Backpressure = Meter.CreateCounter<long>("murmur.topic.backpressure", "{wait}", "Times a reader or publisher of a node waited for a slow local member (MurmurNodeOptions.MaxLag).");

    internal static readonly Counter<long> EventsDuplicates = Meter.CreateCounter<long>("murmur.events.duplicates", "{event}", "Events offered again and dropped as duplicates (e.g. a local event read back from the log).");
    internal static readonly Counter<long> Snapshots = Meter.CreateCounter<long>("murmur.snapshots", "{snapshot}", "Agent snapshots saved (with the node's checkpoint of the topic).");
    internal static readonly Counter<long> HistoryReplayed = Meter.CreateCounter<long>("murmur.history.replayed", "{event}", "Events read back from the log for members that needed more than the node keeps.");
    internal static readonly Counter<long> SpeculationStarted = Meter.CreateCounter<long>("murmur.speculation.started", "{speculation}", "Speculations started.");
    internal static readonly Counter<long> SpeculationCommitted = Meter.CreateCounter<long>("murmur.speculation.committed", "{speculation}", "Speculations committed.");
    internal static readonly Counter<long> SpeculationAborted = Meter.CreateCounter<long>("murmur.speculation.aborted", "{speculation}", "Speculations aborted.");
    internal static readonly Counter<long> SupervisorRestarts = Meter.CreateCounter<long>("murmur.supervisor.restarts", "{restart}", "Restarts decided by supervisors, tagged with the strategy.");
    internal static readonly Histogram<double> HandlerDuration = Meter.CreateHistogram<double>("murmur.handler.duration", "ms", "Running time of an agent's handler, one message.");

    /// <summary>Live nodes, for the observable gauges; a node adds itself when created and removes itself when disposed.</summary>
    private static readonly ConcurrentDictionary<MurmurNode, byte> Nodes = new();

    internal static readonly ObservableGauge<long> BufferHeld = Meter.CreateObservableGauge("murmur.causal_buffer.held", ObserveHeld, "{event}", "Events held in causal buffers, waiting for their causal predecessors.");

    internal static void Register(MurmurNode node) => Nodes.TryAdd(node, 0);

    internal static void Unregister(MurmurNode node) => Nodes.TryRemove(node, out _);

    private static IEnumerable<Measurement<long>> ObserveHeld()
    {
        foreach (var node in Nodes.Keys)
        {
            foreach (var topic in node.Topics)
            {
                yield return new Measurement<long>(topic.Buffer.Held,
                    new KeyValuePair<string, object?>(Tags.Node, node.NodeId), new KeyValuePair<string, object?>(Tags.Topic, topic.Name));
            }
        }
    }

    /// <summary>Attribute names on Murmur's spans and measurements.</summary>
    public static class Tags
    {
        /// <summary>The topic's name.</summary>
        public const string Topic = "murmur.topic";

        /// <summary>The agent (the event's <c>actor</c>).</summary>
        public const string Actor = "murmur.actor";

        /// <summary>The event's action.</summary>
        public const string Action = "murmur.action";

        /// <summary>The event's id.</summary>
        public const string EventId = "murmur.event_id";

        /// <summary>The event's vector clock, as text.</summary>
        public const string VectorClock = "murmur.vector_clock";

        /// <summary>The node's name.</summary>
        public const string Node = "murmur.node";

        /// <summary>How many events a handler turn was handed.</summary>
        public const string EventCount = "murmur.event_count";

        /// <summary>The supervision strategy of a restart.</summary>
        public const string Strategy = "strategy";

        /// <summary>Where a tool ran (<c>local</c>).</summary>
        public const string Locality = "locality";

        /// <summary>The tool's name.</summary>
        public const string Tool = "murmur.tool";

        /// <summary>The kind of a token count: <c>input</c> or <c>output</c>.</summary>
        public const string TokenType = "murmur.token.type";
    }
}
