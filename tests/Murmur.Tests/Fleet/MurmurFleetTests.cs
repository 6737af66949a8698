using Murmur.Agents;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Fleet;
using Murmur.Logs;
using Murmur.Tests.Reliability;

namespace Murmur.Tests.Fleet;

public sealed class MurmurFleetTests
{
    private static TaskCompletionSource<T> Signal<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Fact]
    public async Task KilledNode_IsDeclaredDownOnce_AndExactlyOneSurvivorTakesItsAgentOver_AtTheNextEpoch()
    {
        await using var h = new FleetHarness();
        var (a, fleetA, linkA) = await h.StartAsync("a");
        var (b, fleetB, _) = await h.StartAsync("b");
        var (c, fleetC, _) = await h.StartAsync("c");
        var worker = await fleetA.SpawnAsync(FleetHarness.Worker);
        var first = await a.Runtime.AskAsync<AgentEvent>(worker, "FINDING");
        await h.AdvanceAsync(TimeSpan.FromSeconds(3)); // everyone learns everyone's rhythm
        Assert.All(fleetB.Members, m => Assert.Equal(FleetMemberState.Alive, m.State));
        Assert.Equal(["Worker"], fleetB.Members.Single(m => m.Announcement.Node == "a").Announcement.Agents.Select(x => x.Agent));

        var taken = Signal<(string Node, ulong Epoch)>();
        fleetB.AgentTakenOver += (_, epoch) => taken.TrySetResult(("b", epoch));
        fleetC.AgentTakenOver += (_, epoch) => taken.TrySetResult(("c", epoch));
        linkA.Cut();           // kill -9: no more heartbeats…
        await a.DisposeAsync(); // …and no more agents
        var took = await h.AdvanceUntilAsync(taken.Task, TimeSpan.FromSeconds(10), "takeover");

        var (winner, epoch) = await taken.Task;
        Assert.Equal(2UL, epoch);
        // Detection: ~1.5 s acceptable pause + 0.5 s interval + deviations; the first choice claims at once.
        Assert.True(took <= TimeSpan.FromSeconds(4), $"takeover took {took.TotalSeconds} s of fake time");
        var node = winner == "b" ? b : c;
        Assert.True(node.Runtime.TryGet("Worker", out var resumed));
        var second = await node.Runtime.AskAsync<AgentEvent>(resumed!, "FINDING");
        Assert.Equal(2UL, second.Epoch);
        Assert.Equal(first.Clock[0] + 1, second.Clock[0]);
        await h.AdvanceAsync(TimeSpan.FromSeconds(2)); // a late candidate's claim (if any) loses

        var downs = new List<string>();
        await foreach (var entry in h.Log.ReadAsync("murmur-fleet"))
        {
            downs.Add(AgentEventCodec.Decode(entry.Data.Span).EventId);
        }
        // At most one record per declarer (repeats de-duplicate); the first in the log decides.
        Assert.NotEmpty(downs);
        Assert.Subset(new HashSet<string> { NodeDownPayload.EventIdFor("a", fleetA.Incarnation, "b"), NodeDownPayload.EventIdFor("a", fleetA.Incarnation, "c") }, downs.ToHashSet());
        Assert.Equal(downs.Distinct().Count(), downs.Count);
        Assert.Equal(FleetMemberState.Down, fleetB.Members.Single(m => m.Announcement.Node == "a").State);
        Assert.Equal(winner == "b" ? ["Worker"] : [], fleetB.OwnedAgents.Select(x => x.Agent));
        var topicB = b.Topics.Single(t => t.Name == "work");
        var topicC = c.Topics.Single(t => t.Name == "work");
        await topicB.CatchUpAsync();
        await topicC.CatchUpAsync();
        var report = HistoryChecker.Check([], new Dictionary<string, IReadOnlyList<AgentEvent>> { ["b"] = [.. topicB.History], ["c"] = [.. topicC.History] }, new Dictionary<string, int>(),
            new Dictionary<string, IReadOnlyDictionary<(string, ulong), string>> { ["b"] = topicB.EpochOwners, ["c"] = topicC.EpochOwners });
        Assert.True(report.IsValid, report.ToString());
        Assert.Equal(winner, topicB.EpochOwners[("Worker", 2)]);
    }

    [Fact]
    public async Task StoreStallsForEveryone_NobodyIsDeclaredDown_AndANodeThatDiedMeanwhileIsDeclaredOnceItAnswers()
    {
        await using var h = new FleetHarness();
        var (_, fleetA, linkA) = await h.StartAsync("a");
        var (_, fleetB, linkB) = await h.StartAsync("b");
        var (_, fleetC, linkC) = await h.StartAsync("c");
        var downs = new List<string>();
        var aDown = Signal<bool>();
        foreach (var fleet in new[] { fleetA, fleetB, fleetC })
        {
            fleet.NodeDown += d =>
            {
                lock (downs)
                {
                    downs.Add(d.Node);
                }
                if (d.Node == "a")
                {
                    aDown.TrySetResult(true);
                }
            };
        }
        await h.AdvanceAsync(TimeSpan.FromSeconds(3)); // everyone learns everyone's rhythm

        // The store stops taking anyone's heartbeats (its leader's server stalled): every node sees every other one
        // silent for 6 s, twice the detection time, and its own announcements silent too.
        linkA.Cut();
        linkB.Cut();
        linkC.Cut();
        await h.AdvanceAsync(TimeSpan.FromSeconds(6));
        lock (downs)
        {
            Assert.Empty(downs);
        }

        // It answers again, but node a died meanwhile: b and c still declare it, a detection time after they recover.
        linkB.Restore();
        linkC.Restore();
        var took = await h.AdvanceUntilAsync(aDown.Task, TimeSpan.FromSeconds(10), "a declared down");
        Assert.True(took <= TimeSpan.FromSeconds(5), $"declared after {took.TotalSeconds} s of fake time");
        await h.AdvanceAsync(TimeSpan.FromSeconds(2));
        lock (downs)
        {
            Assert.All(downs, d => Assert.Equal("a", d));
        }
    }

    [Fact]
    public async Task AStoreWhoseDeliveryToANodeComesAndGoes_NeitherPostponesItsDetection_NorMakesItSuspectTheLive()
    {
        await using var h = new FleetHarness();
        var (_, _, linkA) = await h.StartAsync("a");
        var (_, fleetB, linkB) = await h.StartAsync("b");
        // c beats like everyone but never judges, so the only judge of a's silence is b.
        await h.StartAsync("c", configure: o => o with { Detector = o.Detector with { AcceptableHeartbeatPause = TimeSpan.FromHours(1) } });
        var suspects = new List<string>();
        var aSuspected = Signal<bool>();
        fleetB.NodeSuspected += (node, _) =>
        {
            lock (suspects)
            {
                suspects.Add(node);
            }
            if (node == "a")
            {
                aSuspected.TrySetResult(true);
            }
        };
        await h.AdvanceAsync(TimeSpan.FromSeconds(3));

        // a dies. The store's records reach b 2 s late, then promptly for 0.5 s, again and again: each stall is longer
        // than the acceptable pause (1.5 s), and the prompt stretches with the stalls' start are shorter than the
        // detection time (≈ 2.6 s). Restarting detection after each stall would never declare a; counting only the
        // silence outside the stalls does, and the live c, whose beats are held with b's own, is never suspected.
        linkA.Cut();
        var cycles = 0;
        for (; cycles < 12 && !aSuspected.Task.IsCompleted; cycles++)
        {
            linkB.Hold();
            await h.AdvanceAsync(TimeSpan.FromSeconds(2));
            linkB.Release();
            await h.AdvanceAsync(TimeSpan.FromSeconds(0.5));
        }

        Assert.True(aSuspected.Task.IsCompleted, $"a not suspected by b after {cycles} stalls");
        await h.AdvanceAsync(TimeSpan.FromSeconds(3));
        lock (suspects)
        {
            Assert.Equal(["a"], suspects);
        }
    }

    [Fact]
    public async Task PausedNode_IsFenced_ItsCopyStops_AndItLearnsItWasDeclaredDown()
    {
        await using var h = new FleetHarness();
        var (a, fleetA, linkA) = await h.StartAsync("a");
        var (b, fleetB, _) = await h.StartAsync("b");
        var worker = await fleetA.SpawnAsync(FleetHarness.Worker);
        await h.AdvanceAsync(TimeSpan.FromSeconds(2));
        var fenced = Signal<AgentFencedException>();
        a.AgentFenced += e => fenced.TrySetResult(e);
        var declared = Signal<NodeDownPayload>();
        fleetA.DeclaredDown += d => declared.TrySetResult(d);

        linkA.Cut(); // SIGSTOP, or a partition: its heartbeats stop, the process lives on
        await h.AdvanceUntilAsync(Task.WhenAll(fenced.Task, declared.Task), TimeSpan.FromSeconds(10), "fencing");

        // When it continues, its declarations are void: it was declared down earlier in the log.
        var bDown = Signal<NodeDownPayload>();
        fleetB.DeclaredDown += d => bDown.TrySetResult(d);
        var payload = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new NodeDownPayload("b", fleetB.Incarnation, "a", 99) { ByIncarnation = fleetA.Incarnation });
        var zombie = new AgentEvent(NodeDownPayload.EventIdFor("b", fleetB.Incarnation, "a"), "a", Actions.NodeDown, payload, VectorClock.Empty) { Topic = "murmur-fleet" };
        await h.Log.AppendAsync("murmur-fleet", new LogRecord(zombie.EventId, AgentEventCodec.Encode(zombie)));
        await h.AdvanceAsync(TimeSpan.FromSeconds(2));
        Assert.False(bDown.Task.IsCompleted);
        Assert.Equal(FleetMemberState.Alive, fleetA.Members.Single(m => m.Announcement.Node == "b").State);

        Assert.Equal("b", (await fenced.Task).Owner);
        Assert.Equal(("a", fleetA.Incarnation, "b"), ((await declared.Task).Node, (await declared.Task).Incarnation, (await declared.Task).By));
        Assert.False(a.Runtime.TryGet("Worker", out _));
        Assert.Empty(fleetA.OwnedAgents);
        Assert.True(b.Runtime.TryGet("Worker", out _));
        Assert.False(worker.IsAlive);
    }

    [Fact]
    public async Task RestartUnderTheSameId_BeforeDetection_RejoinsItsAgents_AndNobodyTakesThemOver()
    {
        await using var h = new FleetHarness();
        var (a, fleetA, linkA) = await h.StartAsync("a");
        var (_, fleetB, _) = await h.StartAsync("b");
        await fleetA.SpawnAsync(FleetHarness.Worker);
        await h.AdvanceAsync(TimeSpan.FromSeconds(2));
        var downs = 0;
        fleetB.NodeDown += _ => Interlocked.Increment(ref downs);
        fleetB.AgentTakenOver += (_, _) => Assert.Fail("b took the agent over");
        linkA.Cut();
        await a.DisposeAsync();
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(600)); // restarted well before the ~2.5 s detection

        var (a2, fleetA2, _) = await h.StartAsync("a");

        Assert.True(fleetA2.Incarnation > fleetA.Incarnation);
        Assert.True(a2.Runtime.TryGet("Worker", out var rejoined));
        var e = await a2.Runtime.AskAsync<AgentEvent>(rejoined!, "FINDING");
        Assert.Equal(2UL, e.Epoch); // it fenced its own previous run
        Assert.Equal(["Worker"], fleetA2.OwnedAgents.Select(x => x.Agent));
        await h.AdvanceAsync(TimeSpan.FromSeconds(6));
        Assert.Equal(0, downs);
        Assert.Equal(FleetMemberState.Alive, fleetB.Members.Single(m => m.Announcement.Node == "a").State);
    }

    [Fact]
    public async Task NodeThatLeavesOnPurpose_IsNeverDeclaredDown()
    {
        await using var h = new FleetHarness();
        var (_, fleetA, _) = await h.StartAsync("a");
        var (_, fleetB, _) = await h.StartAsync("b");
        await fleetA.SpawnAsync(FleetHarness.Worker);
        await h.AdvanceAsync(TimeSpan.FromSeconds(2));
        var downs = 0;
        fleetB.NodeDown += _ => Interlocked.Increment(ref downs);
        await fleetA.DisposeAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, downs);
        Assert.Equal(FleetMemberState.Left, fleetB.Members.Single(m => m.Announcement.Node == "a").State);
    }

    [Fact]
    public async Task NodesGoneForGood_AreForgotten_AfterForgetAfter_SoTheStoreDoesNotGrowWithEveryNodeThatEverRan()
    {
        await using var h = new FleetHarness();
        var forgetAfter = TimeSpan.FromSeconds(10);
        FleetOptions Configure(FleetOptions o) => o with { ForgetAfter = forgetAfter };
        var (_, _, linkA) = await h.StartAsync("a", configure: Configure);
        await h.StartAsync("b", configure: Configure);
        var (_, fleetC, _) = await h.StartAsync("c", configure: Configure);
        var (_, fleetD, _) = await h.StartAsync("d", configure: Configure);
        var aDown = Signal<bool>();
        fleetD.NodeDown += d =>
        {
            if (d.Node == "a")
            {
                aDown.TrySetResult(true);
            }
        };
        await using var store = (await h.Log.OpenMembershipStoreAsync())!;
        using var watching = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var removed = WaitForRemovalsAsync(store, ["a", "c"], watching.Token);
        await h.AdvanceAsync(TimeSpan.FromSeconds(3));

        linkA.Cut();                  // a dies
        await fleetC.DisposeAsync();  // c leaves on purpose
        var gone = h.Time.GetTimestamp();
        await h.AdvanceUntilAsync(aDown.Task, TimeSpan.FromSeconds(10), "a declared down");
        Assert.Equal(["a", "a=beat", "b", "b=beat", "c", "c=beat", "d", "d=beat"], (await store.ReadAllAsync()).Select(r => r.Node).Order(StringComparer.Ordinal));
        Assert.Equal(FleetMemberState.Down, fleetD.Members.Single(m => m.Announcement.Node == "a").State);
        Assert.Equal(FleetMemberState.Left, fleetD.Members.Single(m => m.Announcement.Node == "c").State);

        await h.AdvanceUntilAsync(removed, TimeSpan.FromSeconds(30), "a's and c's records removed");

        Assert.True(h.Time.GetElapsedTime(gone) >= forgetAfter, $"forgotten after {h.Time.GetElapsedTime(gone).TotalSeconds} s");
        Assert.Equal(["b", "b=beat", "d", "d=beat"], (await store.ReadAllAsync()).Select(r => r.Node).Order(StringComparer.Ordinal)); // announcements and beats
        await h.AdvanceAsync(TimeSpan.FromSeconds(1)); // the removals reach every watcher
        Assert.Equal(["b", "d"], fleetD.Members.Select(m => m.Announcement.Node));
        Assert.All(fleetD.Members, m => Assert.Equal(FleetMemberState.Alive, m.State));
    }

    [Fact]
    public async Task Beats_GoUnderAKeyOfTheirOwn_AndTheAgentList_OnlyWhenWhatTheNodeOwnsChanges()
    {
        await using var h = new FleetHarness();
        var (_, fleetA, _) = await h.StartAsync("a");
        await h.StartAsync("b");
        await fleetA.SpawnAsync(FleetHarness.Worker);
        await using var store = (await h.Log.OpenMembershipStoreAsync())!;
        using var watching = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var announcements = 0;
        var beats = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var beatRecords = 0;
        var watch = Task.Run(async () =>
        {
            await foreach (var record in store.WatchAsync(watching.Token))
            {
                if (record.Node is "a" or "a=agents.0")
                {
                    Interlocked.Increment(ref announcements);
                }
                else if (record.Node == "a=beat" && Interlocked.Increment(ref beatRecords) == 11)
                {
                    beats.TrySetResult();
                }
            }
        });

        await h.AdvanceUntilAsync(beats.Task, TimeSpan.FromSeconds(20), "ten beats of a");

        Assert.Equal(2, Volatile.Read(ref announcements)); // the announcement and the agent list the watch started with: ten beats, nothing else
        var beat = Assert.Single(await store.ReadAllAsync(), r => r.Node == "a=beat");
        var agents = Assert.Single(await store.ReadAllAsync(), r => r.Node == "a=agents.0");
        Assert.True(beat.Data.Length < 80, $"a beat is {beat.Data.Length} bytes");
        Assert.Contains("Worker", System.Text.Encoding.UTF8.GetString(agents.Data.Span), StringComparison.Ordinal);
        Assert.DoesNotContain("Worker", System.Text.Encoding.UTF8.GetString(beat.Data.Span), StringComparison.Ordinal);
        await watching.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch);
    }

    /// <summary>Completes when the store's watch has reported each of <paramref name="nodes"/> removed.</summary>
    internal static async Task WaitForRemovalsAsync(IMembershipStore store, string[] nodes, CancellationToken cancellationToken)
    {
        var left = new HashSet<string>(nodes, StringComparer.Ordinal);
        await foreach (var record in store.WatchAsync(cancellationToken))
        {
            if (record.Data.IsEmpty && left.Remove(record.Node) && left.Count == 0)
            {
                return;
            }
        }
    }

    [Fact]
    public async Task ADeadNodesLastRecord_SeenByANewcomer_IsUnknown_AndNeverDeclaredAgain()
    {
        await using var h = new FleetHarness();
        var (a, _, linkA) = await h.StartAsync("a");
        linkA.Cut();
        await a.DisposeAsync();
        var (_, fleetB, _) = await h.StartAsync("b");
        var suspected = 0;
        fleetB.NodeSuspected += (_, _) => Interlocked.Increment(ref suspected);
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, suspected);
        Assert.Equal(FleetMemberState.Unknown, fleetB.Members.Single(m => m.Announcement.Node == "a").State);
    }

    [Fact]
    public async Task LiveNodes_OverAMinute_AreNeverDeclaredDown()
    {
        await using var h = new FleetHarness();
        var fleets = new List<MurmurFleet>();
        for (var i = 0; i < 3; i++)
        {
            fleets.Add((await h.StartAsync($"n{i}")).Fleet);
        }
        var downs = 0;
        foreach (var fleet in fleets)
        {
            fleet.NodeSuspected += (_, _) => Interlocked.Increment(ref downs);
        }
        await h.AdvanceAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, downs);
        Assert.All(fleets, f => Assert.Equal(3, f.Members.Count(m => m.State == FleetMemberState.Alive)));
    }

    [Fact]
    public async Task MalformedAnnouncements_AreRefused_AndTheFleetGoesOn()
    {
        await using var h = new FleetHarness();
        var (_, fleetA, _) = await h.StartAsync("a");
        var store = (await h.Log.OpenMembershipStoreAsync())!;
        await store.PublishAsync("x", "not json"u8.ToArray());
        await store.PublishAsync("y", """{"node":"z","incarnation":1,"started_at":1,"kinds":[],"tools":[],"agents":[],"beat":0}"""u8.ToArray());
        await store.PublishAsync("w", """{"node":"w","incarnation":1,"started_at":1,"kinds":[],"tools":[],"agents":[{"agent":"A","kind":"k","topic":"bad topic!","consistency":"eventual"}],"beat":0}"""u8.ToArray());
        var (_, fleetB, _) = await h.StartAsync("b");
        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(["a", "b"], fleetB.Members.Select(m => m.Announcement.Node));
        Assert.Equal(["a", "b"], fleetA.Members.Select(m => m.Announcement.Node));
    }

    [Fact]
    public async Task ALogWithoutAMembershipStore_CannotFormAFleet()
    {
        await using var node = await MurmurNode.StartAsync(o => o.UseLog(new NoStoreLog(new InMemoryEventLog())));
        var error = await Assert.ThrowsAsync<NotSupportedException>(() => MurmurFleet.StartAsync(node));
        Assert.Contains("has no membership store", error.Message, StringComparison.Ordinal);
    }

    private sealed class NoStoreLog(IEventLog inner) : DelegatingEventLog(inner)
    {
        public override ValueTask<IMembershipStore?> OpenMembershipStoreAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<IMembershipStore?>(null);
    }
}
