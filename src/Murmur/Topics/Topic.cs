using Murmur.Causality;
using Murmur.Events;

namespace Murmur.Topics;

/// <summary>A task's shared event stream as seen from one node: its name, mode, roster and delivered history.</summary>
/// <remarks>Thread-safe. Obtain it with <see cref="MurmurNode.OpenTopicAsync(string, Consistency, CancellationToken)"/>.</remarks>
public sealed class Topic
{
    internal Topic(TopicHost host) => Host = host;

    /// <summary>The node's state of the topic; replaced when a released topic is opened again.</summary>
    internal TopicHost Host { get; set; }

    /// <summary>
    /// True when the node no longer follows the topic (<see cref="MurmurNode.ReleaseTopicAsync"/>, or its last local member
    /// stopped): what this object shows stays as it was. Spawning an agent on it, or opening it, follows it again.
    /// </summary>
    public bool IsReleased => Host.IsReleased;

    /// <summary>Completes when the node stops following the topic (see <see cref="IsReleased"/>).</summary>
    public Task Released => Host.Released;

    /// <summary>The topic's name.</summary>
    public string Name => Host.Name;

    /// <summary>The topic's consistency mode.</summary>
    public Consistency Consistency => Host.Consistency;

    /// <summary>The members in roster order, as derived from the log so far.</summary>
    public Roster Roster => Host.Roster;

    /// <summary>
    /// The events this node keeps of the topic (the most recent <see cref="MurmurNodeOptions.History"/> of them), in
    /// delivery order (a causal order). <see cref="ReadHistoryAsync"/> reads the whole topic.
    /// </summary>
    public IReadOnlyList<AgentEvent> History => Host.History;

    /// <summary>
    /// Every event of the topic delivered on this node, from the first, then each new one as it is delivered, until
    /// <paramref name="cancellationToken"/> is cancelled or the node releases the topic (then the enumeration ends): a
    /// follower that never misses an event, whatever the node trims.
    /// </summary>
    public IAsyncEnumerable<AgentEvent> WatchAsync(CancellationToken cancellationToken = default) => Host.WatchAsync(cancellationToken);

    /// <summary>How many delivered events the node no longer keeps (they are before <see cref="History"/>; the log has them).</summary>
    public long Trimmed => Host.First;

    /// <summary>
    /// Every event of the topic delivered on this node, from the first, in a causal order: what the node no longer keeps
    /// is read back from the log, validated and causally ordered again.
    /// </summary>
    public IAsyncEnumerable<AgentEvent> ReadHistoryAsync(CancellationToken cancellationToken = default) => Host.ReadHistoryAsync(cancellationToken);

    /// <summary>How many events were delivered on this node.</summary>
    public long DeliveredCount => Host.DeliveredCount;

    /// <summary>Speculations started, committed and aborted by this node's members.</summary>
    public SpeculationStats Speculations => Host.SpeculationStats;

    /// <summary>The last log position this node has read.</summary>
    public long ReadPosition => Host.Reader.Position;

    /// <summary>Statistics of the node's causal buffer for this topic.</summary>
    public CausalBufferStats Buffer
    {
        get
        {
            return Host.BufferStats();
        }
    }

    /// <summary>How often this node's reader or a local publisher waited for a slow local member (<see cref="MurmurNodeOptions.MaxLag"/>).</summary>
    public long BackpressureWaits => Host.BackpressureWaits;

    /// <summary>The largest lag of a live local member seen while <see cref="MurmurNodeOptions.MaxLag"/> is set.</summary>
    public long MaxLagSeen => Host.MaxLagSeen;

    /// <summary>Waits until this node has delivered at least <paramref name="count"/> events of the topic.</summary>
    public Task WaitForDeliveredAsync(long count, CancellationToken cancellationToken = default)
        => Host.WaitDeliveredAsync(count, cancellationToken);

    /// <summary>In strict topics, the open round on this node: 0 for the first, so also how many rounds have closed. Null in eventual topics.</summary>
    public int? Round => Consistency == Consistency.Strict ? Host.ClosedRounds : null;

    /// <summary>
    /// In strict topics, how many events had been delivered when each round closed: round r's view holds the events
    /// delivered before <c>ClosePositions[r-1]</c> (counted from the topic's first delivered event).
    /// </summary>
    public IReadOnlyList<long> ClosePositions => Host.ClosePositions;

    /// <summary>Every owner this node learnt from the topic's log: epoch 1 from each agent's first <c>JOIN</c>, later epochs from <c>CLAIM</c>s.</summary>
    public IReadOnlyDictionary<(string Agent, ulong Epoch), string> EpochOwners => Host.Reader.Screen.EpochOwners();

    /// <summary>Members evicted from strict rounds for silence.</summary>
    public IReadOnlyList<string> Evicted => Host.Evicted;

    /// <summary>Waits until at least <paramref name="round"/> rounds have closed on this node.</summary>
    public Task WaitForRoundAsync(int round, CancellationToken cancellationToken = default)
        => Host.WaitUntilAsync(() => Host.ClosedRoundsLocked >= round, cancellationToken);

    /// <summary>Waits until this node has delivered an event that matches <paramref name="predicate"/>, and returns it.</summary>
    public async Task<AgentEvent> WaitForEventAsync(Func<AgentEvent, bool> predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        AgentEvent? found = null;
        await Host.WaitUntilAsync(() => (found = Host.FindLocked(predicate)) is not null, cancellationToken).ConfigureAwait(false);
        return found!;
    }

    /// <summary>Waits until <paramref name="actor"/> is a member holding the open strict round (it joined and has not completed it).</summary>
    public Task WaitUntilHeldAsync(string actor, CancellationToken cancellationToken = default)
        => Host.WaitUntilAsync(() => Host.IsHoldingLocked(actor), cancellationToken);

    /// <summary>Waits until this node has read the topic's log at least to its current end.</summary>
    /// <exception cref="TopicReleasedException">The node released the topic before or while waiting: it no longer reads it.</exception>
    public Task CatchUpAsync(CancellationToken cancellationToken = default) => Host.Reader.CatchUpAsync(cancellationToken);

    /// <summary>
    /// Gives up every event still waiting for its causes, each a dead letter naming what it waits for: for a reader
    /// that has read the log to its end (<see cref="CatchUpAsync"/>) and will not wait the grace period
    /// (<see cref="CausalBufferOptions.MaxWait"/>). Returns how many were given up.
    /// </summary>
    public int GiveUpWaitingEvents() => Host.GiveUpHeld();

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Consistency})";
}
