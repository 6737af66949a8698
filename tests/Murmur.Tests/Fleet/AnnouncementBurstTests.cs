using Murmur.Agents;
using Murmur.Fleet;
using Murmur.Logs;
using Murmur.Tests.Topics;

namespace Murmur.Tests.Fleet;

/// <summary>
/// Changes of what a node owns that arrive while a publish of its agent list is on its way go out together in the next
/// one, rather than one publish each.
/// </summary>
public sealed class AnnouncementBurstTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>An in-memory log whose membership store counts a node's writes (announcement and agent list, not beats) and can hold them on their way.</summary>
    private sealed class HeldLog(IEventLog inner, string node) : DelegatingEventLog(inner)
    {
        private volatile TaskCompletionSource _open = Opened();
        private int _published;

        /// <summary>The node whose announcements are counted and held.</summary>
        public string Node { get; } = node;

        public int Published => Volatile.Read(ref _published);

        /// <summary>Completes when an announcement reaches the store while held.</summary>
        public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Hold() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _open.TrySetResult();

        private static TaskCompletionSource Opened()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult();
            return open;
        }

        public override async ValueTask<IMembershipStore?> OpenMembershipStoreAsync(CancellationToken cancellationToken = default)
            => await base.OpenMembershipStoreAsync(cancellationToken) is { } store ? new Store(store, this) : null;

        private sealed class Store(IMembershipStore inner, HeldLog log) : DelegatingMembershipStore(inner)
        {
            public override async ValueTask PublishAsync(string key, ReadOnlyMemory<byte> announcement, CancellationToken cancellationToken = default)
            {
                if (key.StartsWith(log.Node + "=agents.", StringComparison.Ordinal) || key == log.Node)
                {
                    Interlocked.Increment(ref log._published);
                    var open = log._open;
                    if (!open.Task.IsCompleted)
                    {
                        log.Arrived.TrySetResult();
                        await open.Task.WaitAsync(cancellationToken);
                    }
                }
                await base.PublishAsync(key, announcement, cancellationToken);
            }
        }
    }

    [Fact]
    public async Task SpawnsThatArriveWhileAnAnnouncementIsOnItsWay_GoOutTogetherInTheNextOne()
    {
        const int burst = 50;
        var inner = new InMemoryEventLog();
        var log = new HeldLog(inner, "n1");
        var seen = new Seen();
        await using var node = await MurmurNode.StartAsync(o => o.UseLog(log).Configure(x => x with { NodeId = "n1" }));
        await using var fleet = await MurmurFleet.StartAsync(node, new FleetOptions { Kinds = new Dictionary<string, Func<OwnedAgent, Agent>> { ["worker"] = _ => new Crashy(seen) } });
        await fleet.SpawnAsync(new OwnedAgent("Worker_first", "worker", "task-first", "eventual"));
        var before = log.Published;

        log.Hold();
        var spawns = Enumerable.Range(0, burst).Select(i => fleet.SpawnAsync(new OwnedAgent($"Worker_{i:D2}", "worker", $"task-{i:D2}", "eventual"))).ToList();
        await log.Arrived.Task.WaitAsync(Patience); // one announcement is on its way and held
        await WaitUntilAsync(() => fleet.OwnedAgents.Count == burst + 1, "every spawn of the burst is owned");
        Assert.All(spawns, s => Assert.False(s.IsCompleted)); // a spawn returns once an announcement listing it reached the store
        log.Release();
        await Task.WhenAll(spawns).WaitAsync(Patience);

        // The held one, and one more carrying every change that arrived meanwhile (not one per spawn).
        Assert.InRange(log.Published - before, 1, 2);
        await using var store = (await inner.OpenMembershipStoreAsync())!;
        var announced = AgentChunk.Read(await store.ReadAllAsync(), "n1")!.Agents.Select(a => a.Agent).ToHashSet();
        Assert.Equal(burst + 1, announced.Count);
        Assert.All(Enumerable.Range(0, burst), i => Assert.Contains($"Worker_{i:D2}", announced));

        // One at a time, each spawn is still announced before it returns.
        await fleet.SpawnAsync(new OwnedAgent("Worker_last", "worker", "task-last", "eventual"));
        Assert.Contains("Worker_last", AgentChunk.Read(await store.ReadAllAsync(), "n1")!.Agents.Select(a => a.Agent));
    }

    /// <summary>Waits for a condition the node reaches by itself (spawns on the thread pool), yielding between looks; fails after <see cref="Patience"/>.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var start = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetElapsedTime(start) < Patience, $"{what}: not within {Patience.TotalSeconds} s");
            await Task.Yield();
        }
    }
}
