using Murmur.Agents;
using Murmur.Logs;

namespace Murmur.Fleet;

/// <summary>How a node takes part in a fleet: how often it beats, how it judges others, which agent kinds it runs.</summary>
public sealed record FleetOptions
{
    /// <summary>The defaults: a beat every 500 ms, suspected after about 2 s of silence.</summary>
    public static FleetOptions Default { get; } = new();

    /// <summary>How often this node announces itself.</summary>
    /// <value>Defaults to 500 ms.</value>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The failure detector's settings; its first estimate should be <see cref="HeartbeatInterval"/>.</summary>
    /// <value>Defaults to threshold 8, a 1.5 s acceptable pause, 100 ms minimum deviation and a 500 ms first estimate: a node silent for about 2.5 s is declared down.</value>
    public PhiAccrualOptions Detector { get; init; } = new()
    {
        FirstHeartbeatEstimate = TimeSpan.FromMilliseconds(500),
        AcceptableHeartbeatPause = TimeSpan.FromMilliseconds(1500),
    };

    /// <summary>The agent kinds this node runs, each with the factory that makes one (for a takeover or a rejoin).</summary>
    /// <value>Defaults to none: the node takes nothing over.</value>
    public IReadOnlyDictionary<string, Func<OwnedAgent, Agent>> Kinds { get; init; } = new Dictionary<string, Func<OwnedAgent, Agent>>();

    /// <summary>Tools to list in the announcement (for <c>murmur nodes</c>); the node's own tools are not read from here.</summary>
    /// <value>Defaults to none.</value>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>The topic where <c>NODE_DOWN</c>s are recorded; it grows only by one record per failure.</summary>
    /// <value>Defaults to <c>murmur-fleet</c>.</value>
    public string Topic { get; init; } = "murmur-fleet";

    /// <summary>
    /// How long a candidate that is not the agent's first choice waits before claiming it (times its rank): the candidates
    /// are ranked by a hash of agent and node, so the first choice usually wins at once and the load spreads.
    /// </summary>
    /// <value>Defaults to 300 ms.</value>
    public TimeSpan ClaimStagger { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>This run's incarnation; null uses the start time in ms (later runs under the same node id are larger).</summary>
    public long? Incarnation { get; init; }

    /// <summary>Only watch the fleet (for tools such as <c>murmur nodes</c>): never announce, beat, declare or take over.</summary>
    /// <value>Defaults to false.</value>
    public bool ObserveOnly { get; init; }

    /// <summary>
    /// How long the records of a node gone for good (it left, it was declared down, or it was never heard beating)
    /// stay in the membership store after their last change; then the alive node with the lowest id removes them, so
    /// the store holds the recent past, not every node that ever ran (pods with generated names come and go). Null
    /// keeps every record. A node that restarts under a forgotten id starts afresh: agents of its that nobody could take
    /// over are no longer re-attached. A shorter value than the acceptable pause plus ten heartbeat intervals counts as
    /// that, so a live node is heard beating well before it could be taken for gone.
    /// </summary>
    /// <value>Defaults to one hour.</value>
    public TimeSpan? ForgetAfter { get; init; } = TimeSpan.FromHours(1);

    internal void Validate()
    {
        if (HeartbeatInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(HeartbeatInterval), HeartbeatInterval, "Fleet.HeartbeatInterval must be positive.");
        }
        if (ClaimStagger < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ClaimStagger), ClaimStagger, "Fleet.ClaimStagger must not be negative.");
        }
        ArgumentNullException.ThrowIfNull(Kinds);
        ArgumentNullException.ThrowIfNull(Tools);
        Detector.Validate();
        TopicName.Validate(Topic);
        if (ForgetAfter is { } forget && forget <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ForgetAfter), forget, "Fleet.ForgetAfter must be positive (or null to keep every record).");
        }
    }
}
