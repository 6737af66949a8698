using Murmur.Fleet;

namespace Murmur.Tests.Fleet;

/// <summary>
/// The membership store must not grow with every node that ever ran: a node that died before anyone watched it (the
/// last node of a fleet, a pod that crashed while the fleet was down) is never declared down, yet is gone too. And a
/// live node whose records a forgetter removed by mistake puts them back.
/// </summary>
public sealed class ForgettingTests
{
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromSeconds(10);

    private static FleetOptions Configure(FleetOptions o) => o with { ForgetAfter = ForgetAfter };

    /// <param name="forgetAfterSeconds">The option.</param>
    /// <param name="atLeastSeconds">The option, but never less than the acceptable pause plus ten heartbeat intervals (1.5 s + 10 × 0.5 s).</param>
    [Theory]
    [InlineData(10, 10)]
    [InlineData(1, 6.5)]
    public async Task ANodeThatDiedBeforeAnyoneWatched_IsForgotten_OnceNothingOfItChangedForForgetAfter(double forgetAfterSeconds, double atLeastSeconds)
    {
        FleetOptions Configure(FleetOptions o) => o with { ForgetAfter = TimeSpan.FromSeconds(forgetAfterSeconds) };
        await using var h = new FleetHarness();
        var (_, fleetZ, linkZ) = await h.StartAsync("z", configure: Configure);
        await fleetZ.SpawnAsync(FleetHarness.Worker);
        linkZ.Cut();                 // z dies with nobody watching: no NODE_DOWN will ever name it
        await fleetZ.DisposeAsync(); // (its leaving announcement is cut off too)
        await using var store = (await h.Log.OpenMembershipStoreAsync())!;
        Assert.Equal(["z", "z=agents.0", "z=beat"], (await store.ReadAllAsync()).Select(r => r.Node).Order(StringComparer.Ordinal));

        var (_, fleetA, _) = await h.StartAsync("a", configure: Configure);
        await h.StartAsync("b", configure: Configure);
        using var watching = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var removed = MurmurFleetTests.WaitForRemovalsAsync(store, ["z", "z=agents.0", "z=beat"], watching.Token);
        var start = h.Time.GetTimestamp();
        await h.AdvanceAsync(TimeSpan.FromSeconds(0.5));
        Assert.Equal(FleetMemberState.Unknown, fleetA.Members.Single(m => m.Announcement.Node == "z").State);
        Assert.Equal(["Worker"], fleetA.Members.Single(m => m.Announcement.Node == "z").Announcement.Agents.Select(x => x.Agent));

        await h.AdvanceUntilAsync(removed, TimeSpan.FromSeconds(30), "z's records removed");

        Assert.True(h.Time.GetElapsedTime(start) >= TimeSpan.FromSeconds(atLeastSeconds), $"forgotten after {h.Time.GetElapsedTime(start).TotalSeconds} s");
        Assert.Equal(["a", "a=beat", "b", "b=beat"], (await store.ReadAllAsync()).Select(r => r.Node).Order(StringComparer.Ordinal));
        await h.AdvanceAsync(TimeSpan.FromSeconds(1)); // the removals reach every watcher
        Assert.Equal(["a", "b"], fleetA.Members.Select(m => m.Announcement.Node));
    }

    [Fact]
    public async Task ALiveNodeWhoseRecordsWereRemoved_PutsThemBack_WithTheNextBeat()
    {
        await using var h = new FleetHarness();
        var (_, fleetA, _) = await h.StartAsync("a", configure: Configure);
        var (_, fleetB, _) = await h.StartAsync("b", configure: Configure);
        await fleetA.SpawnAsync(FleetHarness.Worker);
        await h.AdvanceAsync(TimeSpan.FromSeconds(2));
        await using var store = (await h.Log.OpenMembershipStoreAsync())!;

        await store.RemoveAsync("a=agents.0");
        await store.RemoveAsync("a");
        await h.AdvanceAsync(TimeSpan.FromSeconds(2));

        var records = await store.ReadAllAsync();
        Assert.Equal(["a", "a=agents.0", "a=beat", "b", "b=beat"], records.Select(r => r.Node).Order(StringComparer.Ordinal));
        Assert.Equal(["Worker"], AgentChunk.Read(records, "a")!.Agents.Select(x => x.Agent));
        var a = fleetB.Members.Single(m => m.Announcement.Node == "a");
        Assert.Equal(FleetMemberState.Alive, a.State); // b never lost it: it hears a beat
        Assert.Equal(["Worker"], a.Announcement.Agents.Select(x => x.Agent));
    }
}
