using Microsoft.Extensions.Time.Testing;
using Murmur.Agents;
using Murmur.Fleet;
using Murmur.Logs;
using Murmur.Testing;
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

    public async Task<(MurmurNode Node, MurmurFleet Fleet, CuttableLog Link)> StartAsync(string id, IReadOnlyDictionary<string, Func<OwnedAgent, Agent>>? kinds = null, Func<FleetOptions, FleetOptions>? configure = null)
    {
        var link = new CuttableLog(Log);
        var node = await MurmurNode.StartAsync(o => o.UseLog(link).Configure(x => x with { NodeId = id, Runtime = x.Runtime with { TimeProvider = Time } }));
        var options = new FleetOptions { Kinds = kinds ?? new Dictionary<string, Func<OwnedAgent, Agent>> { ["worker"] = _ => new Crashy(Seen) } };
        var fleet = await MurmurFleet.StartAsync(node, configure?.Invoke(options) ?? options);
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
