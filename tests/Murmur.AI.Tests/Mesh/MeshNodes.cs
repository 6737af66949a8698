using Murmur.AI.Tools;
using Murmur.AI.Tools.Mesh;
using Murmur.Logs;

namespace Murmur.AI.Tests.Mesh;

/// <summary>Nodes that share one in-memory log (and a clock, when given), each in a tool mesh; disposes meshes before nodes.</summary>
internal sealed class MeshNodes(IEventLog log, TimeProvider? time = null) : IAsyncDisposable
{
    private readonly List<(MurmurNode Node, ToolMesh? Mesh)> _members = [];
    private readonly List<ToolMesh?> _killed = [];

    public IEventLog Log { get; } = log;

    public async Task<MurmurNode> NodeAsync(string id, int appendAttempts = 3)
    {
        var node = await MurmurNode.StartAsync(o =>
        {
            o.UseLog(Log);
            o.Options = o.Options with
            {
                NodeId = id,
                AppendAttempts = appendAttempts,
                AppendRetryDelay = TimeSpan.Zero,
                Runtime = o.Options.Runtime with { TimeProvider = time ?? TimeProvider.System },
            };
        });
        _members.Add((node, null));
        return node;
    }

    public async Task<ToolMesh> JoinAsync(MurmurNode node, ToolMeshOptions? options = null)
    {
        var mesh = await node.JoinToolMeshAsync(options);
        var i = _members.FindIndex(m => ReferenceEquals(m.Node, node));
        _members[i] = (node, mesh);
        return mesh;
    }

    /// <summary>Stops one node (mesh first), as a crash or a shutdown of its process would.</summary>
    public async Task StopAsync(MurmurNode node)
    {
        var i = _members.FindIndex(m => ReferenceEquals(m.Node, node));
        if (_members[i].Mesh is { } mesh)
        {
            await mesh.DisposeAsync();
        }
        await node.DisposeAsync();
        _members.RemoveAt(i);
    }

    /// <summary>Stops one node as a crash would for its agents: the node (and its agents) first, so nothing it was doing is answered; then its mesh.</summary>
    public async Task CrashAsync(MurmurNode node)
    {
        var i = _members.FindIndex(m => ReferenceEquals(m.Node, node));
        await node.DisposeAsync();
        if (_members[i].Mesh is { } mesh)
        {
            await mesh.DisposeAsync();
        }
        _members.RemoveAt(i);
    }

    /// <summary>
    /// Stops one node the way a killed process stops: nothing more from it, not even the "left" announcement its
    /// mesh would make (the mesh is disposed only with the others, at the end).
    /// </summary>
    public async Task KillAsync(MurmurNode node)
    {
        var i = _members.FindIndex(m => ReferenceEquals(m.Node, node));
        _killed.Add(_members[i].Mesh);
        _members.RemoveAt(i);
        await node.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var mesh in _killed)
        {
            if (mesh is not null)
            {
                await mesh.DisposeAsync();
            }
        }
        for (var i = _members.Count - 1; i >= 0; i--)
        {
            if (_members[i].Mesh is { } mesh)
            {
                await mesh.DisposeAsync();
            }
            await _members[i].Node.DisposeAsync();
        }
    }
}
