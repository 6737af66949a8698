using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Murmur.Agents;
using Murmur.Diagnostics;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Runtime;
using Murmur.Security;
using Murmur.Topics;

namespace Murmur;

/// <summary>
/// One node of a mesh: an <see cref="AgentRuntime"/> plus a connection to the shared <see cref="IEventLog"/>.
/// Agents meet on topics, not through a coordinator: every node follows the topics its agents joined.
/// </summary>
/// <example>
/// <code>
/// await using var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog());
/// var topic = await node.OpenTopicAsync("fix-auth-token", Consistency.Eventual);
/// await node.SpawnAsync("Researcher_Agent_3", () => new Researcher(), topic);
/// </code>
/// </example>
/// <remarks>Thread-safe.</remarks>
public sealed partial class MurmurNode : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, TopicHost> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<AgentRef, TopicMember[]> _memberships = new();
    private readonly bool _ownsLog;
    private readonly Random _ids;
    private long _published;
    private int _disposed;

    private MurmurNode(MurmurNodeOptions options, IEventLog log, bool ownsLog)
    {
        Options = options;
        Log = log;
        _ownsLog = ownsLog;
        Runtime = AgentRuntime.Create(options.Runtime);
        Feed = new LogFeed(this);
        Runtime.AgentTerminated += OnAgentTerminated;
        Logger = options.Runtime.LoggerFactory.CreateLogger("Murmur.Topics");
        DeadLetters = new DeadLetterStore(options.DeadLetterCapacity);
        _ids = options.EventIdSeed is { } seed ? new Random(seed) : new Random();
        (Signer, Verifier) = options.Signing switch
        {
            null => ((IEventSigner?)null, (IEventVerifier?)null),
            { Algorithm: SigningAlgorithm.EcdsaP256Sha256 } ecdsa => Pair(new EcdsaEventSigner(ecdsa)),
            var hmac => Pair(new HmacEventSigner(hmac)),
        };
        MurmurDiagnostics.Register(this);
    }

    /// <summary>Signs appended events and verifies read ones; null when signing is off.</summary>
    internal IEventSigner? Signer { get; }

    internal IEventVerifier? Verifier { get; }

    private static (IEventSigner, IEventVerifier) Pair<T>(T both)
        where T : IEventSigner, IEventVerifier => (both, both);

    /// <summary>Starts a node; with no configuration it uses the embedded in-memory log.</summary>
    /// <exception cref="EventLogException">The configured log cannot be reached.</exception>
    public static async Task<MurmurNode> StartAsync(Action<MurmurNodeBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        var builder = new MurmurNodeBuilder();
        configure?.Invoke(builder);
        builder.Options.Validate();
        var log = await builder.LogFactory(cancellationToken).ConfigureAwait(false);
        return new MurmurNode(builder.Options, log, builder.OwnsLog);
    }

    /// <summary>The node's options.</summary>
    public MurmurNodeOptions Options { get; }

    /// <summary>The node's name.</summary>
    public string NodeId => Options.NodeId;

    /// <summary>The process runtime hosting this node's agents.</summary>
    public AgentRuntime Runtime { get; }

    /// <summary>The shared log.</summary>
    public IEventLog Log { get; }

    /// <summary>Events this node refused, with reasons.</summary>
    public DeadLetterStore DeadLetters { get; }

    /// <summary>The node's clock.</summary>
    public TimeProvider TimeProvider => Options.Runtime.TimeProvider;

    /// <summary>How many events agents of this node published.</summary>
    public long PublishedCount => Interlocked.Read(ref _published);

    /// <summary>The topics this node follows.</summary>
    public IReadOnlyCollection<Topic> Topics => [.. _topics.Values.Select(h => new Topic(h))];

    internal ILogger Logger { get; }

    /// <summary>How the node reads the log for all of its topics.</summary>
    internal LogFeed Feed { get; }

    /// <summary>
    /// Follows a topic (creating it by use): reads its log from the start, so the roster and history are
    /// rebuilt, and returns once it has read to the current end.
    /// </summary>
    /// <exception cref="InvalidTopicNameException">The name breaks the rules of <see cref="TopicName"/>.</exception>
    /// <exception cref="InvalidOperationException">The topic is already open on this node in the other mode.</exception>
    public Task<Topic> OpenTopicAsync(string name, Consistency consistency = Consistency.Eventual, CancellationToken cancellationToken = default)
        => OpenTopicAsync(name, consistency, TopicOptions.Default, cancellationToken);

    /// <summary>Follows a topic with options; see <see cref="OpenTopicAsync(string, Consistency, CancellationToken)"/>.</summary>
    public async Task<Topic> OpenTopicAsync(string name, Consistency consistency, TopicOptions options, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        TopicName.Validate(name);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var created = false;
        var host = _topics.GetOrAdd(name, n =>
        {
            created = true;
            return new TopicHost(this, n, consistency, options);
        });
        if (host.Consistency != consistency)
        {
            throw new InvalidOperationException($"Topic '{name}' is already open on this node as {host.Consistency}; it cannot also be {consistency}.");
        }
        if (created)
        {
            try
            {
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _topics.TryRemove(new KeyValuePair<string, TopicHost>(name, host));
                throw;
            }
        }
        var topic = new Topic(host);
        await topic.CatchUpAsync(cancellationToken).ConfigureAwait(false);
        return topic;
    }

    /// <summary>
    /// Spawns a named agent under the root supervisor as a member of <paramref name="topics"/>: it joins each
    /// (a <c>JOIN</c> in the log, or its earlier membership when the log already has one), starts, and is then
    /// handed the topics' events through <see cref="Agent.OnEventsAsync"/>, from the start of each topic.
    /// </summary>
    public async Task<AgentRef> SpawnAsync(AgentId id, Func<Agent> factory, IReadOnlyList<Topic> topics, SpawnOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(topics);
        var members = new TopicMember[topics.Count];
        for (var i = 0; i < topics.Count; i++)
        {
            var topic = topics[i];
            if (topic.IsReleased)
            {
                topic.Host = (await OpenTopicAsync(topic.Name, topic.Consistency, topic.Host.Options, cancellationToken).ConfigureAwait(false)).Host;
            }
            members[i] = await topic.Host.JoinAsync(id, cancellationToken).ConfigureAwait(false);
        }
        var instances = 0;
        Agent Create()
        {
            var agent = factory();
            agent.AttachTopics(members);
            var restart = Interlocked.Increment(ref instances) > 1;
            foreach (var member in members)
            {
                member.Delivery.ResetForNewInstance(restart);
            }
            return agent;
        }
        AgentRef agentRef;
        try
        {
            agentRef = await Runtime.SpawnAsync(id, Create, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            foreach (var member in members)
            {
                member.Host.RemoveMember(member);
            }
            throw;
        }
        _memberships[agentRef] = members;
        foreach (var member in members)
        {
            member.Delivery.Bind(agentRef);
        }
        if (!agentRef.IsAlive)
        {
            OnAgentTerminated(agentRef); // stopped before it was recorded
        }
        return agentRef;
    }

    /// <summary>Spawns a named agent as a member of one topic; see <see cref="SpawnAsync(AgentId, Func{Agent}, IReadOnlyList{Topic}, SpawnOptions?, CancellationToken)"/>.</summary>
    public Task<AgentRef> SpawnAsync(AgentId id, Func<Agent> factory, Topic topic, SpawnOptions? options = null, CancellationToken cancellationToken = default)
        => SpawnAsync(id, factory, [topic], options, cancellationToken);

    /// <summary>
    /// Stops following a topic on this node: its reader stops and the node forgets it, so its memory goes once nobody
    /// holds the <see cref="Topic"/> any more (a holder still sees what it showed). Opening the topic again, or spawning
    /// an agent on it, follows it again (from this node's checkpoint when it has one). Topics are released by themselves
    /// when their last local member stops for good (<see cref="MurmurNodeOptions.ReleaseTopicsWhenMembersStop"/>).
    /// </summary>
    /// <returns>False when the node did not follow the topic.</returns>
    /// <exception cref="InvalidOperationException">An agent of this node is still a live member of the topic.</exception>
    public async Task<bool> ReleaseTopicAsync(string name, CancellationToken cancellationToken = default)
    {
        TopicName.Validate(name);
        if (!_topics.TryGetValue(name, out var host))
        {
            return false;
        }
        if (host.LiveMembers > 0)
        {
            throw new InvalidOperationException($"Topic '{name}' still has {host.LiveMembers} live member(s) on node '{NodeId}'; stop them before releasing it.");
        }
        return await ReleaseAsync(host).ConfigureAwait(false);
    }

    private async Task<bool> ReleaseAsync(TopicHost host)
    {
        if (!_topics.TryRemove(new KeyValuePair<string, TopicHost>(host.Name, host)))
        {
            return false;
        }
        await host.DisposeAsync().ConfigureAwait(false);
        TopicLogMessages.Released(Logger, host.Name, host.DeliveredCount);
        return true;
    }

    /// <summary>
    /// Deletes a finished topic from the log — its records, and the snapshots and checkpoints kept for it — after
    /// releasing it on this node. Other nodes that still follow it keep what they have in memory.
    /// </summary>
    /// <returns>False when the log cannot delete one topic's records (see <see cref="IEventLog.DeleteTopicAsync"/>).</returns>
    /// <exception cref="InvalidOperationException">An agent of this node is still a live member of the topic.</exception>
    /// <exception cref="EventLogException">The log failed.</exception>
    public async Task<bool> DeleteTopicAsync(string name, CancellationToken cancellationToken = default)
    {
        TopicName.Validate(name);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var participants = await TopicParticipants.ReadAsync(Log, name, Options.EventLimits, cancellationToken).ConfigureAwait(false);
        return await DeleteTopicAsync(name, participants, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Like <see cref="DeleteTopicAsync(string, CancellationToken)"/>, with the participants the caller already read
    /// (it went through the topic anyway), so the topic is not read again. A <c>JOIN</c> they miss leaves that member's
    /// snapshots in the log.
    /// </summary>
    /// <returns>False when the log cannot delete one topic's records (see <see cref="IEventLog.DeleteTopicAsync"/>).</returns>
    /// <exception cref="InvalidOperationException">An agent of this node is still a live member of the topic.</exception>
    /// <exception cref="EventLogException">The log failed.</exception>
    public async Task<bool> DeleteTopicAsync(string name, TopicParticipants participants, CancellationToken cancellationToken = default)
    {
        TopicName.Validate(name);
        ArgumentNullException.ThrowIfNull(participants);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await ReleaseTopicAsync(name, cancellationToken).ConfigureAwait(false);
        if (!await Log.DeleteTopicAsync(name, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        foreach (var actor in participants.Actors)
        {
            await Log.DeleteTopicAsync(Snapshots.SnapshotTopic(name, actor), cancellationToken).ConfigureAwait(false);
        }
        // This node's checkpoints too, whether or not one of its agents joined.
        foreach (var node in participants.Nodes.Append(NodeId).Distinct(StringComparer.Ordinal))
        {
            await Log.DeleteTopicAsync(Snapshots.CheckpointTopic(name, node), cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>An agent terminated for good: its memberships end, and a topic left without live local members is released.</summary>
    private void OnAgentTerminated(AgentRef agent)
    {
        if (!_memberships.TryRemove(agent, out var members))
        {
            return;
        }
        foreach (var member in members)
        {
            var host = member.Host;
            host.RemoveMember(member);
            if (Options.ReleaseTopicsWhenMembersStop && _disposed == 0 && host.HadMembers && host.LiveMembers == 0)
            {
                _ = ReleaseAsync(host);
            }
        }
    }

    internal string NewEventId()
    {
        Span<byte> bytes = stackalloc byte[8];
        lock (_ids)
        {
            _ids.NextBytes(bytes);
        }
        return "evt_" + Convert.ToHexStringLower(bytes);
    }

    /// <summary>Raised when a local agent was fenced: another node claimed it at a later epoch, so this copy is stopped.</summary>
    public event Action<AgentFencedException>? AgentFenced;

    /// <summary>Stops a local copy of an agent another node claimed (a zombie): its events are refused everywhere from the claim on.</summary>
    internal void Fence(TopicHost topic, TopicMember member, AgentRef agent, string? owner, ulong epoch)
    {
        var fenced = new AgentFencedException(member.Actor, topic.Name, owner, epoch);
        TopicLogMessages.Fenced(Logger, member.Actor, topic.Name, member.Epoch, owner ?? "(unknown)", epoch);
        MurmurDiagnostics.Count(MurmurDiagnostics.AgentsFenced, topic.Name);
        _ = Runtime.StopAsync(agent);
        AgentFenced?.Invoke(fenced);
    }

    internal void OnPublished(TopicHost topic, AgentEvent @event)
    {
        Interlocked.Increment(ref _published);
        MurmurDiagnostics.Count(MurmurDiagnostics.EventsPublished, topic.Name);
    }

    internal void OnDelivered(TopicHost topic, AgentEvent @event)
    {
    }

    /// <summary>Stops the agents (children before parents), then the topic readers, then the log if the node created it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        MurmurDiagnostics.Unregister(this);
        Runtime.AgentTerminated -= OnAgentTerminated;
        await Runtime.DisposeAsync().ConfigureAwait(false);
        foreach (var host in _topics.Values)
        {
            await host.DisposeAsync().ConfigureAwait(false);
        }
        await Feed.DisposeAsync().ConfigureAwait(false);
        if (_ownsLog)
        {
            await Log.DisposeAsync().ConfigureAwait(false);
        }
        (Signer as IDisposable)?.Dispose();
    }
}
