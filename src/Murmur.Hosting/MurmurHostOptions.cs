namespace Murmur.Hosting;

/// <summary>Settings of the hosted node, bound from the configuration section <c>Murmur</c> (<see cref="SectionName"/>).</summary>
/// <remarks>
/// The same section's log, transport security and signing keys (<c>Murmur:Log</c>, <c>Murmur:Signing</c>) are bound
/// by <see cref="Murmur.Configuration.MurmurNodeSettings"/> when the host starts (docs/security.md lists the keys).
/// A mutable class rather than the codebase's usual <c>init</c>-only record: the configuration binder and the
/// <c>AddMurmur(o =&gt; …)</c> delegate both set properties after construction. Validated when the host starts.
/// </remarks>
public sealed class MurmurHostOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Murmur";

    /// <summary>The node's name in <c>JOIN</c> events and logs.</summary>
    /// <value>Defaults to <see langword="null"/>: the machine name and process id (<see cref="MurmurNodeOptions.NodeId"/>).</value>
    public string? NodeId { get; set; }

    /// <summary>Topics the node follows from the start, whether or not a registered agent joins them.</summary>
    /// <value>Defaults to none; topics named by registered agents are opened too.</value>
    public IList<MurmurTopicOptions> Topics { get; set; } = [];

    /// <summary>Seed for event ids, for reproducible runs.</summary>
    /// <value>Defaults to <see langword="null"/>: random.</value>
    public int? EventIdSeed { get; set; }

    /// <summary>The topic the log health check asks for its end position.</summary>
    /// <value>Defaults to <c>murmur-health</c>.</value>
    public string HealthProbeTopic { get; set; } = "murmur-health";

    /// <summary>How long the log health check waits for the log.</summary>
    /// <value>Defaults to 5 seconds.</value>
    public TimeSpan HealthProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The topic-lag health check reports Degraded when a topic's unread log entries exceed this.</summary>
    /// <value>Defaults to 1,000.</value>
    public long TopicLagDegradedThreshold { get; set; } = 1_000;
}
