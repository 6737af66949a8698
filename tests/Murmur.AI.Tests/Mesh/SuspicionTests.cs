using Microsoft.Extensions.AI;
using Murmur.AI.Tests.Support;
using Murmur.AI.Tools;
using Murmur.AI.Tools.Mesh;
using Murmur.Agents;
using Murmur.Logs;

namespace Murmur.AI.Tests.Mesh;

/// <summary>
/// A node that crashed without saying it left stays in the directory; a request it lets time out makes the caller
/// suspect it, which sends later calls to another host of the tool and placement to another node, until it is heard from.
/// The nodes share fake time: a call to the dead host times out when the test advances the clock, and no call to a
/// live host can time out because the machine is slow.
/// </summary>
public sealed class SuspicionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly ToolMeshOptions QuickTimeout = new() { CallTimeout = TimeSpan.FromMilliseconds(300) };
    private readonly WatchedTime _time = new(DateTimeOffset.UtcNow);

    /// <summary>
    /// Lets <paramref name="call"/> (to a dead host) time out: advances the clock past its deadline once its wait has a
    /// timer, so a host that reads the request later does not run it.
    /// </summary>
    private async Task<T> TimedOutAsync<T>(Func<Task<T>> call)
    {
        var timerSet = _time.TimerSetAsync(QuickTimeout.CallTimeout);
        var pending = call();
        await timerSet.WaitAsync(Patience);
        _time.Advance(QuickTimeout.CallTimeout + TimeSpan.FromSeconds(1));
        return await pending.WaitAsync(Patience);
    }

    private static AIFunction Lookup(string host, Counter runs) => AIFunctionFactory.Create(
        (string key) =>
        {
            runs.Increment();
            return $"{key}@{host}";
        },
        "lookup");

    [Fact]
    public async Task AHostThatLetsACallTimeOut_IsSuspected_AndTheNextCallGoesToAnotherHostOfTheTool()
    {
        await using var nodes = new MeshNodes(new InMemoryEventLog(), _time);
        var b = await nodes.NodeAsync("host-b");
        var bRuns = new Counter();
        b.Tools().Add(Lookup("host-b", bRuns));
        await nodes.JoinAsync(b);
        var c = await nodes.NodeAsync("host-c");
        var cRuns = new Counter();
        c.Tools().Add(Lookup("host-c", cRuns));
        await nodes.JoinAsync(c);
        var caller = await nodes.NodeAsync("caller-a");
        var mesh = await nodes.JoinAsync(caller, QuickTimeout);
        await mesh.WaitForNodeAsync("host-b").WaitAsync(Patience);
        await mesh.WaitForNodeAsync("host-c").WaitAsync(Patience);
        Assert.True(mesh.TryFindRemote("lookup", out var first));
        Assert.Equal("host-b", first.Node); // the first by id while nobody is suspected
        await nodes.KillAsync(b); // no "left" announcement: the directory still lists host-b
        Assert.Contains(mesh.Nodes, n => n.NodeId == "host-b");

        var topic = await caller.OpenTopicAsync("task");
        var member = await Puppet.JoinAsync(caller, topic, "Agent_X");
        var invoker = new ToolInvoker(caller.Tools());
        var lost = await TimedOutAsync(() => invoker.InvokeAsync(member, "lookup", new Dictionary<string, object?> { ["key"] = "k1" }));
        var answered = await invoker.InvokeAsync(member, "lookup", new Dictionary<string, object?> { ["key"] = "k2" }).WaitAsync(Patience);

        Assert.False(lost.Ok);
        Assert.Contains("on node 'host-b' did not answer within 0.3 s", lost.Error, StringComparison.Ordinal);
        Assert.True(mesh.IsSuspected("host-b"));
        Assert.Equal(["host-b"], mesh.Suspected);
        Assert.True(answered.Ok, answered.Error);
        Assert.Equal("host-c", answered.Host);
        Assert.Equal("k2@host-c", answered.Result.GetString());
        Assert.Equal(0, bRuns.Value);
        Assert.Equal(1, cRuns.Value);
    }

    [Fact]
    public async Task ASuspectedNodeThatComesBack_AndAnnouncesItself_IsHeardFromAgain()
    {
        await using var nodes = new MeshNodes(new InMemoryEventLog(), _time);
        var b = await nodes.NodeAsync("host-b");
        b.Tools().Add(Lookup("host-b", new Counter()));
        await nodes.JoinAsync(b);
        var caller = await nodes.NodeAsync("caller-a");
        var mesh = await nodes.JoinAsync(caller, QuickTimeout);
        await mesh.WaitForNodeAsync("host-b").WaitAsync(Patience);
        await nodes.KillAsync(b);
        var lost = await TimedOutAsync(() => mesh.CallAsync("host-b", "lookup", new Dictionary<string, object?> { ["key"] = "k" }, "call-1", "tester"));
        Assert.False(lost.Ok);
        Assert.True(mesh.IsSuspected("host-b"));

        var restarted = await nodes.NodeAsync("host-b");
        var runs = new Counter();
        restarted.Tools().Add(Lookup("host-b", runs));
        await nodes.JoinAsync(restarted);
        var directory = await caller.OpenTopicAsync(ToolMeshActions.DirectoryTopic);
        // The restarted node announces itself when it joins: that clears the suspicion.
        await directory.WaitForEventAsync(e => e.Action == ToolMeshActions.ToolsHosted && !mesh.IsSuspected("host-b")).WaitAsync(Patience);

        Assert.Empty(mesh.Suspected);
        var reply = await mesh.CallAsync("host-b", "lookup", new Dictionary<string, object?> { ["key"] = "k" }, "call-2", "tester").WaitAsync(Patience);
        Assert.True(reply.Ok, reply.Error);
        Assert.Equal(1, runs.Value);
    }

    [Fact]
    public async Task Placement_PassesOverASuspectedNode_AndSaysSo()
    {
        await using var nodes = new MeshNodes(new InMemoryEventLog(), _time);
        var b = await nodes.NodeAsync("node-b");
        b.Tools().Add(Lookup("node-b", new Counter()));
        var bMesh = await nodes.JoinAsync(b);
        await bMesh.AddAgentKindAsync("coder", () => new Idle());
        var c = await nodes.NodeAsync("node-c");
        var cMesh = await nodes.JoinAsync(c);
        await cMesh.AddAgentKindAsync("coder", () => new Idle());
        var caller = await nodes.NodeAsync("caller-a");
        var mesh = await nodes.JoinAsync(caller, QuickTimeout);
        await mesh.WaitForNodeAsync("node-b", "coder").WaitAsync(Patience);
        await mesh.WaitForNodeAsync("node-c", "coder").WaitAsync(Patience);
        Assert.Equal("node-b", mesh.Place("coder", ["lookup"]).Node); // it serves the tool

        await nodes.KillAsync(b);
        await TimedOutAsync(() => mesh.CallAsync("node-b", "lookup", null, "call-1", "tester"));
        var placement = mesh.Place("coder", ["lookup"]);

        Assert.Equal("node-c", placement.Node);
        Assert.Equal(["lookup"], placement.Remote);
        Assert.Contains("passed over [node-b]: suspected", placement.Report, StringComparison.Ordinal);
    }

    private sealed class Idle : Agent;
}
