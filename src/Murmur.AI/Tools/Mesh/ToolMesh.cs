using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using Murmur.Agents;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.AI.Tools.Mesh;

/// <summary>
/// One node's part in a mesh of nodes that serve each other's tools and spawn each other's agents through the log:
/// a tool registered on another node is called with a <c>TOOL_CALL</c> addressed to that node's inbox topic and
/// answered with a <c>TOOL_RESULT</c> correlated by <c>call_id</c>. The host never runs a call twice for retried or
/// duplicated requests, and claims each call of a side-effecting tool in the log before it runs, so a host that dies
/// mid-call answers "outcome unknown" after its restart instead of running it again (see <see cref="ToolMeshOptions.ClaimReadOnlyTools"/>).
/// </summary>
/// <remarks>
/// <para>Join with <see cref="MurmurNodeToolExtensions.JoinToolMeshAsync"/>. The node announces its tools and agent kinds in
/// <see cref="ToolMeshActions.DirectoryTopic"/>; a <see cref="ToolInvoker"/> of the node runs a registered tool
/// in-process and any other tool the directory knows on its host. Locality is recorded on every
/// <c>TOOL_RESULT</c> of the agent's topic.</para>
/// <para>Thread-safe. Disposing announces that the node left, stops serving (a tool still running is cancelled and,
/// after a restart, answered as "outcome unknown") and fails calls still waiting.</para>
/// </remarks>
public sealed partial class ToolMesh : IAsyncDisposable
{
    private readonly ToolRegistry _registry;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, Func<Agent>> _kinds = new(StringComparer.Ordinal);
    private readonly HashSet<string>? _exported;
    private Topic _directory = null!;
    private TopicMember? _directoryMember;
    private TopicMember? _inboxMember;
    private AgentRef? _agent;
    private (long Delivered, IReadOnlyList<ToolMeshNode> Nodes) _directoryCache = (-1, []);
    private int _disposed;

    private ToolMesh(MurmurNode node, ToolRegistry registry, ToolMeshOptions options)
    {
        Node = node;
        _registry = registry;
        Options = options;
        _exported = options.ExportedTools is null ? null : new HashSet<string>(options.ExportedTools, StringComparer.Ordinal);
    }

    /// <summary>The node this mesh part belongs to.</summary>
    public MurmurNode Node { get; }

    /// <summary>The node's id.</summary>
    public string NodeId => Node.NodeId;

    /// <summary>The options.</summary>
    public ToolMeshOptions Options { get; }

    /// <summary>The name of <paramref name="nodeId"/>'s inbox topic: <c>murmur.tools.</c> and the id (characters a topic name cannot hold replaced, with a hash suffix then).</summary>
    public static string InboxTopicOf(string nodeId)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        var safe = new StringBuilder(nodeId.Length);
        foreach (var c in nodeId)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }
        var name = safe.ToString();
        if (!string.Equals(name, nodeId, StringComparison.Ordinal) || name.Length > 100)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(nodeId)).AsSpan(0, 4));
            name = (name.Length > 100 ? name[..100] : name) + "-" + hash;
        }
        return ToolMeshActions.DirectoryTopic + "." + name;
    }

    /// <summary>The actor of <paramref name="nodeId"/>'s mesh agent: the only actor whose announcements and answers count for that node.</summary>
    public static string MeshActorOf(string nodeId) => "tools@" + nodeId;

    internal static async Task<ToolMesh> JoinAsync(MurmurNode node, ToolRegistry registry, ToolMeshOptions? options, CancellationToken cancellationToken)
    {
        options ??= ToolMeshOptions.Default;
        options.Validate();
        var actor = MeshActorOf(node.NodeId);
        if (node.NodeId.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            throw new ArgumentException($"Node id '{node.NodeId}' holds white space or a control character; a node in a tool mesh needs an id that can name its agent '{actor}'.", nameof(node));
        }
        var mesh = new ToolMesh(node, registry, options);
        mesh._directory = await node.OpenTopicAsync(ToolMeshActions.DirectoryTopic, Consistency.Eventual, cancellationToken).ConfigureAwait(false);
        var inbox = await node.OpenTopicAsync(InboxTopicOf(node.NodeId), Consistency.Eventual, cancellationToken).ConfigureAwait(false);
        // The inbox was read to its end when it opened: its claims and answers are known before any call is looked at.
        var ledger = new List<AgentEvent>();
        await foreach (var e in inbox.ReadHistoryAsync(cancellationToken).ConfigureAwait(false))
        {
            ledger.Add(e);
        }
        mesh.LoadLedger(ledger);
        mesh._agent = await node.SpawnAsync(actor, () => new MeshAgent(mesh), [mesh._directory, inbox], cancellationToken: cancellationToken).ConfigureAwait(false);
        await mesh._ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await mesh.AnnounceAsync(cancellationToken).ConfigureAwait(false);
        return mesh;
    }

    internal void Attach(TopicMember directory, TopicMember inbox)
    {
        _directoryMember = directory;
        _inboxMember = inbox;
        _ready.TrySetResult();
    }

    /// <summary>
    /// The nodes whose latest announcement says they are up (this one included), ordered by id.
    /// </summary>
    public IReadOnlyList<ToolMeshNode> Nodes
    {
        get
        {
            var delivered = _directory.DeliveredCount;
            var cache = _directoryCache;
            if (cache.Delivered == delivered)
            {
                return cache.Nodes;
            }
            var latest = new Dictionary<string, ToolMeshNode>(StringComparer.Ordinal);
            var announcedAt = new Dictionary<string, long>(StringComparer.Ordinal);
            var history = _directory.History;
            for (var i = 0; i < history.Count; i++)
            {
                var e = history[i];
                if (string.Equals(e.Action, ToolMeshActions.ToolsHosted, StringComparison.Ordinal) && MeshWire.ReadAnnouncement(e) is { } announced)
                {
                    latest[announced.NodeId] = announced;
                    announcedAt[announced.NodeId] = i;
                }
            }
            ClearAnsweredSuspicions(announcedAt);
            var nodes = latest.Values.Where(n => n.Tools.Count > 0 || n.AgentKinds.Count > 0).OrderBy(n => n.NodeId, StringComparer.Ordinal).ToList();
            _directoryCache = (delivered, nodes);
            return nodes;
        }
    }

    /// <summary>
    /// Finds a node other than this one that serves <paramref name="tool"/>: the first by node id among those this node
    /// does not suspect (<see cref="Suspected"/>), else the first suspected one.
    /// </summary>
    public bool TryFindRemote(string tool, out HostedTool hosted)
    {
        HostedTool? fallback = null;
        foreach (var node in Nodes)
        {
            if (!string.Equals(node.NodeId, NodeId, StringComparison.Ordinal)
                && node.Tools.FirstOrDefault(t => string.Equals(t.Name, tool, StringComparison.Ordinal)) is { } found)
            {
                if (!_suspected.ContainsKey(node.NodeId))
                {
                    hosted = found;
                    return true;
                }
                fallback ??= found;
            }
        }
        hosted = fallback!;
        return fallback is not null;
    }

    /// <summary>Waits until the directory shows another node serving <paramref name="tool"/>.</summary>
    public async Task<HostedTool> WaitForToolAsync(string tool, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tool);
        await _directory.WaitForEventAsync(
            e => string.Equals(e.Action, ToolMeshActions.ToolsHosted, StringComparison.Ordinal) && TryFindRemote(tool, out _),
            cancellationToken).ConfigureAwait(false);
        TryFindRemote(tool, out var hosted);
        return hosted;
    }

    /// <summary>Waits until the directory shows node <paramref name="nodeId"/> up and offering agent kind <paramref name="kind"/> (any kind when null).</summary>
    public Task WaitForNodeAsync(string nodeId, string? kind = null, CancellationToken cancellationToken = default)
        => _directory.WaitForEventAsync(
            e => string.Equals(e.Action, ToolMeshActions.ToolsHosted, StringComparison.Ordinal)
                && Nodes.Any(n => string.Equals(n.NodeId, nodeId, StringComparison.Ordinal) && (kind is null || n.AgentKinds.Contains(kind))),
            cancellationToken);

    /// <summary>
    /// Registers an agent kind this node spawns when placement picks it (<see cref="SpawnAsync"/>), and announces it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The kind is already registered.</exception>
    public async Task AddAgentKindAsync(string kind, Func<Agent> factory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(factory);
        lock (_kinds)
        {
            if (!_kinds.TryAdd(kind, factory))
            {
                throw new InvalidOperationException($"Agent kind '{kind}' is already registered on node '{NodeId}'.");
            }
        }
        await AnnounceAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Announces the node's current tools and agent kinds again (call it after adding or removing tools).</summary>
    public Task AnnounceAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return _directoryMember!.PublishRawAsync(ToolMeshActions.ToolsHosted, MeshWire.Announce(NodeId, up: true, ExportedTools(), KindNames()), null, cancellationToken);
    }

    private IEnumerable<AIFunction> ExportedTools() => _registry.All.Where(t => _exported is null || _exported.Contains(t.Name));

    private List<string> KindNames()
    {
        lock (_kinds)
        {
            return [.. _kinds.Keys];
        }
    }

    private bool TryGetKind(string kind, out Func<Agent> factory)
    {
        lock (_kinds)
        {
            return _kinds.TryGetValue(kind, out factory!);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _registry.DetachMesh(this);
        try
        {
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _directoryMember!.PublishRawAsync(ToolMeshActions.ToolsHosted, MeshWire.Announce(NodeId, up: false, [], []), null, bounded.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EventLogException or OperationCanceledException or ObjectDisposedException)
        {
            // Best effort: a node that cannot say it left looks like one that crashed; calls to it time out.
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        await StopServingAsync().ConfigureAwait(false);
        await StopClientsAsync().ConfigureAwait(false);
        if (_agent is { } agent)
        {
            try
            {
                await Node.Runtime.StopAsync(agent).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // The node went first.
            }
        }
        _stopping.Dispose();
    }
}
