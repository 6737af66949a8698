using System.Diagnostics;
using Akka.Actor;
using Murmur.Agents;
using Murmur.Runtime;
using Proto;

namespace Murmur.Benchmarks.Runtime;

/// <summary>
/// Spawns N idle agents and measures the time until every one of them ran its start handler, and the
/// live heap they retain (after a full compacting GC, minus the baseline taken with the system running
/// and the handle array already allocated). Each system runs in isolation: the previous one is disposed
/// and collected first. A small warm-up round (same code, its own system) runs before each measurement.
/// </summary>
internal sealed class SpawnBench : IBench
{
    private const int WarmUp = 20_000;
    private static int _started;

    public string Name => "spawn";

    public async Task RunAsync(BenchContext context)
    {
        var n = context.Quick ? 200_000 : 1_000_000;
        foreach (var system in Measure.Systems)
        {
            await RunOnceAsync(system, WarmUp, null).ConfigureAwait(false);
            await RunOnceAsync(system, n, context).ConfigureAwait(false);
        }
    }

    private static Task RunOnceAsync(string system, int n, BenchContext? context) => system switch
    {
        Measure.Murmur => MurmurAsync(n, context),
        Measure.Proto => ProtoAsync(n, context),
        _ => AkkaAsync(n, context),
    };

    private static void NoteAllocated(BenchContext? context, int n, long before)
    {
        if (context is not null)
        {
            var perAgent = (double)(GC.GetTotalAllocatedBytes(precise: true) - before) / n;
            Measure.Note($"spawn: {perAgent:0} B allocated per agent while spawning (retained and transient)");
        }
    }

    private static void Reset() => Volatile.Write(ref _started, 0);

    private static void OnStarted() => Interlocked.Increment(ref _started);

    private static Task WaitStartedAsync(int n)
        => Measure.WaitUntilAsync(() => Volatile.Read(ref _started) >= n, TimeSpan.FromMinutes(5), $"starting {n} agents");

    private static void Report(BenchContext? context, string system, int n, double seconds, long bytes, double shutdownSeconds)
    {
        if (context is null)
        {
            return;
        }
        context.Report("spawn", system, "spawn_seconds", seconds, "s", ("agents", n));
        context.Report("spawn", system, "bytes_per_agent", (double)bytes / n, "B", ("agents", n));
        context.Report("spawn", system, "shutdown_seconds", shutdownSeconds, "s", ("agents", n));
    }

    private static async Task MurmurAsync(int n, BenchContext? context)
    {
        Measure.FullCollect();
        var runtime = AgentRuntime.Create(new AgentRuntimeOptions());
        var refs = new AgentRef[n];
        Func<Agent> factory = static () => new IdleAgent();
        Reset();
        var baseline = Measure.LiveBytes();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++)
        {
            refs[i] = runtime.Spawn(factory);
        }
        await WaitStartedAsync(n).ConfigureAwait(false);
        var seconds = Measure.Seconds(start);
        NoteAllocated(context, n, allocated);
        var bytes = Measure.LiveBytes() - baseline;
        GC.KeepAlive(refs);
        GC.KeepAlive(runtime);
        var stop = Stopwatch.GetTimestamp();
        await runtime.DisposeAsync().ConfigureAwait(false);
        Report(context, Measure.Murmur, n, seconds, bytes, Measure.Seconds(stop));
    }

    private static async Task ProtoAsync(int n, BenchContext? context)
    {
        Measure.FullCollect();
        var system = ProtoPeer.Create();
        var props = Proto.Props.FromProducer(static () => new ProtoIdle());
        var refs = new PID[n];
        Reset();
        var baseline = Measure.LiveBytes();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++)
        {
            refs[i] = system.Root.Spawn(props);
        }
        await WaitStartedAsync(n).ConfigureAwait(false);
        var seconds = Measure.Seconds(start);
        NoteAllocated(context, n, allocated);
        var bytes = Measure.LiveBytes() - baseline;
        GC.KeepAlive(refs);
        GC.KeepAlive(system);
        var stop = Stopwatch.GetTimestamp();
        await ProtoPeer.ShutdownAsync(system).ConfigureAwait(false);
        Report(context, Measure.Proto, n, seconds, bytes, Measure.Seconds(stop));
    }

    private static async Task AkkaAsync(int n, BenchContext? context)
    {
        Measure.FullCollect();
        var system = AkkaPeer.Create("spawn");
        var props = AkkaPeer.PropsOf(static () => new AkkaIdle());
        var refs = new IActorRef[n];
        Reset();
        var baseline = Measure.LiveBytes();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++)
        {
            refs[i] = system.ActorOf(props);
        }
        await WaitStartedAsync(n).ConfigureAwait(false);
        var seconds = Measure.Seconds(start);
        NoteAllocated(context, n, allocated);
        var bytes = Measure.LiveBytes() - baseline;
        GC.KeepAlive(refs);
        GC.KeepAlive(system);
        var stop = Stopwatch.GetTimestamp();
        await AkkaPeer.ShutdownAsync(system).ConfigureAwait(false);
        Report(context, Measure.Akka, n, seconds, bytes, Measure.Seconds(stop));
    }

    private sealed class IdleAgent : Agent
    {
        protected override ValueTask OnStartedAsync(CancellationToken cancellationToken)
        {
            OnStarted();
            return ValueTask.CompletedTask;
        }

        protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class ProtoIdle : IActor
    {
        public Task ReceiveAsync(IContext context)
        {
            if (context.Message is Started)
            {
                OnStarted();
            }
            return Task.CompletedTask;
        }
    }

    private sealed class AkkaIdle : UntypedActor
    {
        protected override void PreStart() => OnStarted();

        protected override void OnReceive(object message)
        {
        }
    }
}
