using Microsoft.Extensions.AI;
using Murmur.AI.Tools;
using Murmur.AI.Tools.Mesh;
using Murmur.Agents;
using Murmur.Events;
using Murmur.Logs;

namespace Murmur.AI.Tests.Mesh;

public sealed class PlacementTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly MeshNodes _nodes = new(new InMemoryEventLog());
    private ToolMesh _a = null!;
    private ToolMesh _b = null!;
    private ToolMesh _c = null!;

    // a serves read_file and runs coders; b serves read_file and apply_patch and runs coders; c serves nothing and runs reviewers.
    public async Task InitializeAsync()
    {
        var a = await _nodes.NodeAsync("node-a");
        a.Tools().Add(Tool("read_file"));
        _a = await _nodes.JoinAsync(a);
        await _a.AddAgentKindAsync("coder", () => new Idle());
        var b = await _nodes.NodeAsync("node-b");
        b.Tools().Add(Tool("read_file")).Add(Tool("apply_patch"));
        _b = await _nodes.JoinAsync(b);
        await _b.AddAgentKindAsync("coder", () => new Idle());
        var c = await _nodes.NodeAsync("node-c");
        _c = await _nodes.JoinAsync(c);
        await _c.AddAgentKindAsync("reviewer", () => new Idle());
        foreach (var mesh in new[] { _a, _b, _c })
        {
            await mesh.WaitForNodeAsync("node-a", "coder").WaitAsync(Patience);
            await mesh.WaitForNodeAsync("node-b", "coder").WaitAsync(Patience);
            await mesh.WaitForNodeAsync("node-c", "reviewer").WaitAsync(Patience);
        }
    }

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    private static AIFunction Tool(string name) => AIFunctionFactory.Create(() => name, name);

    [Fact]
    public void TheNodeThatServesEveryNeededTool_IsChosen_WhereverThePlacementIsAskedFrom()
    {
        foreach (var mesh in new[] { _a, _b, _c })
        {
            var placement = mesh.Place("coder", ["read_file", "apply_patch"]);
            Assert.Equal("node-b", placement.Node);
            Assert.True(placement.IsComplete);
            Assert.Equal(["apply_patch", "read_file"], placement.Hosted);
            Assert.Equal(mesh == _b, placement.IsLocal);
            Assert.Equal("'coder' placed on node 'node-b', which serves all of [apply_patch, read_file]: every tool call stays in-process", placement.Report);
        }
    }

    [Fact]
    public void ServingTheTools_BeatsBeingLocal_AndLocalBreaksTies()
    {
        Assert.Equal("node-b", _a.Place("coder", ["apply_patch"]).Node);
        Assert.Equal("node-a", _a.Place("coder", ["read_file"]).Node);
        Assert.Equal("node-b", _b.Place("coder", ["read_file"]).Node);
        Assert.Equal("node-a", _c.Place("coder", ["read_file"]).Node); // a tie seen from elsewhere: by node id
    }

    [Fact]
    public void WhenNoNodeServesEveryTool_ThePlacementSaysWhatIsRemoteAndWhatIsMissing()
    {
        var placement = _a.Place("reviewer", ["read_file", "run_tests"]);

        Assert.Equal("node-c", placement.Node);
        Assert.False(placement.IsComplete);
        Assert.Empty(placement.Hosted);
        Assert.Equal(["read_file"], placement.Remote);
        Assert.Equal(["run_tests"], placement.Unavailable);
        Assert.Equal(
            "no node serves all of [read_file, run_tests] and offers 'reviewer'; placed on node 'node-c', which serves []; " +
            "[read_file (on node-a)] will be called remotely through the log; no node serves [run_tests]: calls to them will fail",
            placement.Report);
    }

    [Fact]
    public void AKindNoNodeOffers_IsRefused_NamingWhatIsOffered()
    {
        var error = Assert.Throws<PlacementException>(() => _a.Place("deployer", []));

        Assert.Equal("No node of the tool mesh offers agent kind 'deployer'; offered: [coder@node-a, coder@node-b, reviewer@node-c].", error.Message);
    }

    [Fact]
    public async Task SpawnAsync_FromANodeWithoutTheTools_StartsTheAgentOnTheNodeThatHasThem()
    {
        var placed = await _c.SpawnAsync("Coder_1", "coder", "task-9", ["read_file", "apply_patch"]).WaitAsync(Patience);

        Assert.Equal("node-b", placed.Placement.Node);
        Assert.Null(placed.LocalRef);
        Assert.True(_b.Node.Runtime.TryGet("Coder_1", out _));
        Assert.False(_c.Node.Runtime.TryGet("Coder_1", out _));
        var topic = await _c.Node.OpenTopicAsync("task-9");
        await topic.WaitForEventAsync(e => e.Action == Actions.Join && e.Actor == "Coder_1").WaitAsync(Patience);
    }

    [Fact]
    public async Task SpawnAsync_OnTheLocalNode_ReturnsItsHandle()
    {
        var placed = await _b.SpawnAsync("Coder_2", "coder", "task-10", ["apply_patch"]).WaitAsync(Patience);

        Assert.True(placed.Placement.IsLocal);
        Assert.NotNull(placed.LocalRef);
        Assert.True(_b.Node.Runtime.TryGet("Coder_2", out var local));
        Assert.Equal(local, placed.LocalRef);
    }

    [Fact]
    public async Task ARemoteSpawnTheChosenNodeRefuses_FailsWithItsReason()
    {
        await _c.SpawnAsync("Coder_3", "coder", "task-11", ["apply_patch"]).WaitAsync(Patience);

        var error = await Assert.ThrowsAsync<PlacementException>(() => _c.SpawnAsync("Coder_3", "coder", "task-11", ["apply_patch"]).WaitAsync(Patience));

        Assert.StartsWith("node 'node-b' did not spawn 'Coder_3': ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Coder_3", error.Message["node 'node-b' did not spawn 'Coder_3': ".Length..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANodeThatLeaves_IsNoLongerChosen()
    {
        await _nodes.StopAsync(_b.Node);
        var directory = await _a.Node.OpenTopicAsync(ToolMeshActions.DirectoryTopic);
        await directory.WaitForEventAsync(
            e => e.Action == ToolMeshActions.ToolsHosted && e.Actor == "tools@node-b" && e.GetPayload().GetProperty("status").GetString() == "left")
            .WaitAsync(Patience);

        var placement = _a.Place("coder", ["read_file", "apply_patch"]);

        Assert.Equal("node-a", placement.Node);
        Assert.Equal(["apply_patch"], placement.Unavailable);
    }

    private sealed class Idle : Agent;
}
