using Microsoft.Extensions.Time.Testing;
using Murmur.Agents;
using Murmur.Fleet;
using Murmur.Logs;
using Murmur.Tests.Topics;

namespace Murmur.Tests.Fleet;

/// <summary>Nodes of one in-memory log on one fake clock, each in the fleet with a "worker" kind; a node's heartbeats can be cut (a kill, a pause, a partition).</summary>
internal sealed class FleetHarness : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

    public InMemoryEventLog Log { get; } = new();

    public Seen Seen { get; } = new();

    public static readonly OwnedAgent Worker = new("Worker", "worker", "work", "eventual");

    public async Task<(MurmurNode Node, MurmurFleet Fleet, CuttableLog Link)> StartAsync(string id, IReadOnlyDictionary<string, Func<OwnedAgent, Agent>>? kinds = null)
    {
        var link = new CuttableLog(Log);
        var node = await MurmurNode.StartAsync(o => o.UseLog(link).Configure(x => x with { NodeId = id, Runtime = x.Runtime with { TimeProvider = Time } }));
        var fleet = await MurmurFleet.StartAsync(node, new FleetOptions { Kinds = kinds ?? new Dictionary<string, Func<OwnedAgent, Agent>> { ["worker"] = _ => new Crashy(Seen) } });
        _owned.Add(node);
        _owned.Add(fleet);
        return (node, fleet, link);
    }

    /// <summary>
    /// Moves the fake clock in small steps until <paramref name="target"/> completes, letting the nodes' loops run between
    /// steps; returns how much fake time it took. Fails after <paramref name="limit"/> of fake time.
    /// </summary>
    public async Task<TimeSpan> AdvanceUntilAsync(Task target, TimeSpan limit, string what)
    {
        var step = TimeSpan.FromMilliseconds(50);
        var elapsed = TimeSpan.Zero;
        while (!target.IsCompleted)
        {
            if (elapsed > limit)
            {
                Assert.Fail($"{what}: not within {limit.TotalSeconds} s of fake time");
            }
            Time.Advance(step);
            elapsed += step;
            // Lets the continuations the step released run (no condition is polled: the target is awaited).
            await Task.WhenAny(target, Task.Delay(3));
        }
        await target;
        return elapsed;
    }

    /// <summary>Moves the fake clock by <paramref name="span"/> in small steps, letting loops run between them.</summary>
    public async Task AdvanceAsync(TimeSpan span)
    {
        var step = TimeSpan.FromMilliseconds(50);
        for (var elapsed = TimeSpan.Zero; elapsed < span; elapsed += step)
        {
            Time.Advance(step);
            await Task.Delay(3);
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
    }
}

/// <summary>A node's link to the shared log whose membership store can be cut: its heartbeats stop reaching the others.</summary>
internal sealed class CuttableLog(IEventLog inner) : DelegatingEventLog(inner)
{
    private volatile bool _cut;

    public void Cut() => _cut = true;

    /// <summary>Lets the node's heartbeats reach the store again (a healed partition, a store that answers again).</summary>
    public void Restore() => _cut = false;

    public override async ValueTask<IMembershipStore?> OpenMembershipStoreAsync(CancellationToken cancellationToken = default)
        => await base.OpenMembershipStoreAsync(cancellationToken) is { } store ? new Store(store, this) : null;

    /// <summary>The owner disposes the shared log, not each node.</summary>
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Store(IMembershipStore inner, CuttableLog link) : IMembershipStore
    {
        public ValueTask PublishAsync(string node, ReadOnlyMemory<byte> announcement, CancellationToken cancellationToken = default)
            => link._cut ? ValueTask.CompletedTask : inner.PublishAsync(node, announcement, cancellationToken);

        public ValueTask<IReadOnlyList<MembershipRecord>> ReadAllAsync(CancellationToken cancellationToken = default) => inner.ReadAllAsync(cancellationToken);

        public IAsyncEnumerable<MembershipRecord> WatchAsync(CancellationToken cancellationToken = default) => inner.WatchAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
