using Microsoft.Extensions.Logging;
using Murmur.Agents;
using Murmur.Logs;

namespace Murmur.Fleet;

/// <summary>
/// A node's part in a fleet: it announces itself and beats in the log's membership store, judges every other node
/// with a <see cref="PhiAccrualDetector"/>, declares a silent one down with one <c>NODE_DOWN</c> in the fleet topic
/// (a derived event id, so concurrent declarations are one record), and then claims and resumes the dead node's agents
/// whose kinds it offers (<see cref="MurmurNode.ClaimAsync"/>: the first claim in the log wins, the old epoch is fenced).
/// Started again under the same node id, it re-attaches to the agents its previous run owned, unless others took them.
/// </summary>
/// <remarks>Thread-safe. See <c>docs/fleet.md</c>.</remarks>
public sealed partial class MurmurFleet : IAsyncDisposable
{
    private readonly MurmurNode _node;
    private readonly FleetOptions _options;
    private readonly IMembershipStore _store;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Dictionary<string, Observed> _observed = new(StringComparer.Ordinal);
    private readonly HashSet<(string Node, long Incarnation)> _down = [];
    private readonly Dictionary<string, (OwnedAgent Spec, AgentRef Agent)> _owned = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _publishing = new(1, 1);
    private ITimer? _heartbeat;
    private ITimer? _check;
    private Task _watch = Task.CompletedTask;
    private Task _follow = Task.CompletedTask;
    private long _beat;
    private long _lastCheck;
    private long _lastEcho;
    private bool _storeStalled;
    private int _beating;
    private int _announcementStale;
    private long _changes;
    private long _announced = -1;
    private TimeSpan _discounted;
    private int _disposed;

    private sealed class Observed(NodeAnnouncement announcement, PhiAccrualDetector detector)
    {
        public NodeAnnouncement Announcement = announcement;
        public readonly PhiAccrualDetector Detector = detector;
        public bool Declared;
        public long Changed;
        public long? LastBeat;
        public bool Forgetting;
    }

    private MurmurFleet(MurmurNode node, FleetOptions options, IMembershipStore store)
    {
        _node = node;
        _options = options;
        _store = store;
        _logger = node.Options.Runtime.LoggerFactory.CreateLogger("Murmur.Fleet");
        Incarnation = options.Incarnation ?? node.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        StartedAt = node.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
    }

    /// <summary>This node's id.</summary>
    public string NodeId => _node.NodeId;

    /// <summary>This run of the node: a later run under the same id has a larger one.</summary>
    public long Incarnation { get; }

    /// <summary>When this run started, ms since the Unix epoch.</summary>
    public long StartedAt { get; }

    /// <summary>The node this fleet membership belongs to.</summary>
    public MurmurNode Node => _node;

    /// <summary>Raised when this node starts to suspect another (φ at the threshold), before it declares it down.</summary>
    public event Action<string, double>? NodeSuspected;

    /// <summary>Raised when a <c>NODE_DOWN</c> is read from the fleet topic (whoever declared it).</summary>
    public event Action<NodeDownPayload>? NodeDown;

    /// <summary>Raised when this node claimed and resumed an agent (a takeover, or a rejoin of its own), with the epoch it holds.</summary>
    public event Action<OwnedAgent, ulong>? AgentTakenOver;

    /// <summary>Raised when this very run was declared down by the fleet: its agents are being taken over, and it should exit and start again.</summary>
    public event Action<NodeDownPayload>? DeclaredDown;

    /// <summary>
    /// Joins <paramref name="node"/> to the fleet of its log: publishes its announcement, re-attaches to what a previous
    /// run under the same node id owned (unless it was taken over), and starts beating and watching.
    /// </summary>
    /// <exception cref="NotSupportedException">The log has no membership store.</exception>
    /// <exception cref="EventLogException">The log failed.</exception>
    public static async Task<MurmurFleet> StartAsync(MurmurNode node, FleetOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        options ??= FleetOptions.Default;
        options.Validate();
        if (node.NodeId.Contains('=', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A fleet node's id must not contain '=' (the membership store keeps its heartbeats and its agent list under its id followed by '='): '{node.NodeId}'.", nameof(node));
        }
        var store = await node.Log.OpenMembershipStoreAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new NotSupportedException($"The log '{node.Log.Name}' has no membership store, so its nodes cannot form a fleet (in-memory and NATS logs have one).");
        var fleet = new MurmurFleet(node, options, store);
        try
        {
            await fleet.StartCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await fleet.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return fleet;
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        // Read what the previous run under this id owned before this run's announcement replaces it.
        var previous = PreviousRun(await _store.ReadAllAsync(cancellationToken).ConfigureAwait(false));
        _follow = FollowDownsAsync(_stop.Token);
        _watch = WatchAsync(_stop.Token);
        if (_options.ObserveOnly)
        {
            return;
        }
        _node.Runtime.AgentTerminated += OnAgentTerminated;
        ReserveChunks(previous?.Chunks ?? 0);
        await PublishAsync(cancellationToken).ConfigureAwait(false);
        await _store.PublishAsync(NodeBeat.KeyOf(NodeId), new NodeBeat(NodeId, Incarnation, 0).Encode(), cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _lastEcho = _node.TimeProvider.GetTimestamp(); // the store took this run's first announcement and beat
        }
        _heartbeat = _node.TimeProvider.CreateTimer(_ => Beat(), null, _options.HeartbeatInterval, _options.HeartbeatInterval);
        var period = _options.HeartbeatInterval / 2;
        _check = _node.TimeProvider.CreateTimer(_ => Check(), null, period, period);
        foreach (var agent in previous?.Agents ?? [])
        {
            await TakeOverAsync(agent, NodeId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every node this node knows of (itself included), with its state and φ.</summary>
    public IReadOnlyList<FleetMember> Members
    {
        get
        {
            var members = _options.ObserveOnly ? [] : new List<FleetMember> { new(Announcement(), FleetMemberState.Alive, 0) };
            lock (_gate)
            {
                foreach (var observed in _observed.Values)
                {
                    var a = observed.Announcement;
                    var phi = observed.Detector.Phi();
                    var state = _down.Contains((a.Node, a.Incarnation)) ? FleetMemberState.Down
                        : a.Leaving ? FleetMemberState.Left
                        : !observed.Detector.HasHeartbeat ? FleetMemberState.Unknown
                        : phi >= _options.Detector.Threshold / 2 ? FleetMemberState.Suspected
                        : FleetMemberState.Alive;
                    members.Add(new FleetMember(a with { Agents = AgentsOfLocked(a) }, state, phi));
                }
            }
            return [.. members.OrderBy(m => m.Announcement.Node, StringComparer.Ordinal)];
        }
    }

    /// <summary>The agents this node owns through the fleet.</summary>
    public IReadOnlyList<OwnedAgent> OwnedAgents
    {
        get
        {
            lock (_gate)
            {
                return [.. _owned.Values.Select(o => o.Spec)];
            }
        }
    }

    /// <summary>
    /// Spawns an agent of one of this node's kinds on its topic and lists it in the node's announcement, so that if this
    /// node dies another node of the kind takes it over (and a restart of this node re-attaches to it).
    /// </summary>
    /// <exception cref="ArgumentException">This node does not offer the agent's kind.</exception>
    public async Task<AgentRef> SpawnAsync(OwnedAgent agent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agent);
        if (!_options.Kinds.TryGetValue(agent.Kind, out var factory))
        {
            throw new ArgumentException($"This node offers no agent kind '{agent.Kind}' (it offers {string.Join(", ", _options.Kinds.Keys)}).", nameof(agent));
        }
        EnsureRoomFor(agent);
        var topic = await _node.OpenTopicAsync(agent.Topic, agent.Mode, cancellationToken).ConfigureAwait(false);
        var spawned = await _node.SpawnAsync(agent.Agent, () => factory(agent), topic, cancellationToken: cancellationToken).ConfigureAwait(false);
        await OwnAsync(agent, spawned, cancellationToken).ConfigureAwait(false);
        return spawned;
    }

    private async Task OwnAsync(OwnedAgent agent, AgentRef spawned, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!spawned.IsAlive)
            {
                return;
            }
            if (_owned.TryGetValue(agent.Agent, out var replaced))
            {
                UnplaceLocked(replaced.Spec);
            }
            _owned[agent.Agent] = (agent, spawned);
            PlaceLocked(agent);
            _changes++;
        }
        await PublishAsync(cancellationToken).ConfigureAwait(false);
    }

    private void OnAgentTerminated(AgentRef agent)
    {
        lock (_gate)
        {
            var id = agent.Id.ToString();
            if (!_owned.TryGetValue(id, out var owned) || !ReferenceEquals(owned.Agent, agent))
            {
                return;
            }
            _owned.Remove(id);
            UnplaceLocked(owned.Spec);
            _changes++;
        }
        _ = PublishQuietlyAsync();
    }

    /// <summary>This node's announcement with every agent it owns (what <see cref="Members"/> shows of it).</summary>
    private NodeAnnouncement Announcement()
    {
        lock (_gate)
        {
            return WireAnnouncementLocked(leaving: false) with { Agents = [.. _owned.Values.Select(o => o.Spec)] };
        }
    }

    /// <summary>This node's announcement as the store keeps it: its agents are in the chunks it counts.</summary>
    private NodeAnnouncement WireAnnouncementLocked(bool leaving)
        => new(NodeId, Incarnation, StartedAt, [.. _options.Kinds.Keys.Order(StringComparer.Ordinal)], _options.Tools, [], Interlocked.Read(ref _beat), leaving)
        {
            Chunks = _chunkList.Count,
        };

    private async Task PublishQuietlyAsync()
    {
        try
        {
            await PublishAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is EventLogException or ObjectDisposedException)
        {
            FleetLogMessages.IoFailed(_logger, "announcement", ex);
        }
    }

    private void Beat()
    {
        if (Interlocked.Exchange(ref _beating, 1) != 0)
        {
            return; // the previous beat is still on its way: a slow store must not pile beats up
        }
        _ = BeatAsync(Interlocked.Increment(ref _beat));
    }

    private async Task BeatAsync(long beat)
    {
        try
        {
            if (Volatile.Read(ref _announcementStale) != 0)
            {
                await PublishAsync(_stop.Token).ConfigureAwait(false);
            }
            await _store.PublishAsync(NodeBeat.KeyOf(NodeId), new NodeBeat(NodeId, Incarnation, beat).Encode(), _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is EventLogException or ObjectDisposedException)
        {
            FleetLogMessages.IoFailed(_logger, "heartbeat", ex);
        }
        finally
        {
            Volatile.Write(ref _beating, 0);
        }
    }

    /// <summary>
    /// Stops beating and watching and announces that this node left on purpose: nobody declares it down or takes its
    /// agents over (a later run under the same node id re-attaches to them). Its agents stop with the node.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _node.Runtime.AgentTerminated -= OnAgentTerminated;
        _heartbeat?.Dispose();
        _check?.Dispose();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_watch, _follow).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), _node.TimeProvider);
            if (!_options.ObserveOnly)
            {
                await PublishAsync(timeout.Token, leaving: true).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is EventLogException or OperationCanceledException or ObjectDisposedException)
        {
            FleetLogMessages.IoFailed(_logger, "leaving announcement", ex);
        }
        await _store.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
