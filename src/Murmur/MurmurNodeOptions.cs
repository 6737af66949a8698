using Murmur.Agents;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Runtime;
using Murmur.Security;
using Murmur.Topics;

namespace Murmur;

/// <summary>Settings of a node; built by <see cref="MurmurNodeBuilder"/>.</summary>
public sealed record MurmurNodeOptions
{
    /// <summary>This node's name in <c>JOIN</c> events and logs.</summary>
    /// <value>Defaults to the machine name and process id.</value>
    public string NodeId { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>The agent runtime's settings.</summary>
    /// <value>Defaults to <see cref="AgentRuntimeOptions.Default"/>.</value>
    public AgentRuntimeOptions Runtime { get; init; } = AgentRuntimeOptions.Default;

    /// <summary>Limits every event read from a log is validated against.</summary>
    /// <value>Defaults to <see cref="EventLimits.Default"/>.</value>
    public EventLimits EventLimits { get; init; } = EventLimits.Default;

    /// <summary>The causal buffer of each topic.</summary>
    /// <value>Defaults to <see cref="CausalBufferOptions.NodeDefault"/> (bounded gaps, per-sender caps, 30 s grace).</value>
    public CausalBufferOptions CausalBuffer { get; init; } = CausalBufferOptions.NodeDefault;

    /// <summary>How much of each topic's delivered history the node keeps in memory.</summary>
    /// <value>Defaults to <see cref="HistoryOptions.Default"/>: 10,000 events or 16 MiB per topic.</value>
    public HistoryOptions History { get; init; } = HistoryOptions.Default;

    /// <summary>How many events an agent that takes snapshots (<see cref="Agent.SnapshotAsync"/>) is handed between two of them.</summary>
    /// <value>Defaults to 1,000.</value>
    public int SnapshotEvery { get; init; } = 1_000;

    /// <summary>
    /// When this node opens a topic it followed before (a restart under the same <see cref="NodeId"/>), it starts from
    /// its latest checkpoint of the topic (written with its agents' snapshots) instead of reading the log from the start.
    /// Strict topics are always read from the start.
    /// </summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool ResumeFromCheckpoints { get; init; } = true;

    /// <summary>
    /// When the last local member of a topic stops for good (its agent terminates), the node stops following the topic
    /// and forgets it (<see cref="MurmurNode.ReleaseTopicAsync"/>): a node that runs task after task does not keep them all.
    /// </summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool ReleaseTopicsWhenMembersStop { get; init; } = true;

    /// <summary>How many refused events the node keeps for listing.</summary>
    /// <value>Defaults to 10,000.</value>
    public int DeadLetterCapacity { get; init; } = 10_000;

    /// <summary>
    /// How many refusals per topic and minute are also appended to <c>murmur.deadletters.&lt;topic&gt;</c>, so a sender
    /// (in any language) can read why its events were refused; 0 turns the feedback off.
    /// </summary>
    /// <value>Defaults to 60.</value>
    public int DeadLetterFeedbackPerMinute { get; init; } = 60;

    /// <summary>How often an append that failed in the transport is tried in all (same event id each time).</summary>
    /// <value>Defaults to 3.</value>
    public int AppendAttempts { get; init; } = 3;

    /// <summary>How long to wait before the second attempt of a failed append; the n-th retry waits n times this.</summary>
    /// <value>Defaults to 50 ms.</value>
    public TimeSpan AppendRetryDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Signed events: sign what this node appends, verify what it reads (see <see cref="EventSigning"/>).</summary>
    /// <value>Defaults to <see langword="null"/>: events are neither signed nor verified.</value>
    public EventSigning? Signing { get; init; }

    /// <summary>In strict topics, a member that holds an open round this long is evicted (an <c>EVICT</c> in the log), so the round can close.</summary>
    /// <value>Defaults to <see langword="null"/>: never evict.</value>
    public TimeSpan? StrictEvictAfter { get; init; }

    /// <summary>
    /// Flow control: how many visible events a live local member of a topic may trail behind. While the slowest one
    /// is this far behind, the node stops reading the topic from the log (the log keeps what is not read yet) and
    /// publishes of the topic's other local members wait (backpressure) until it catches up. Nothing is dropped.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: no bound (a slow member only costs the history this node keeps anyway).</value>
    public int? MaxLag { get; init; }

    /// <summary>Seed for event ids; <see langword="null"/> seeds at random. Set it for reproducible runs.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public int? EventIdSeed { get; init; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(NodeId);
        ArgumentNullException.ThrowIfNull(Runtime);
        Runtime.Validate();
        EventLimits.Validate();
        CausalBuffer.Validate();
        ArgumentNullException.ThrowIfNull(History);
        History.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(DeadLetterCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(DeadLetterFeedbackPerMinute);
        ArgumentOutOfRangeException.ThrowIfLessThan(SnapshotEvery, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(AppendAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(AppendRetryDelay, TimeSpan.Zero);
        Signing?.Validate(NodeId);
        if (MaxLag is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLag), MaxLag, "MaxLag must be at least 1 (or null for no bound).");
        }
    }
}
