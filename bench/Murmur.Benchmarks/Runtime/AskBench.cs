using System.Diagnostics;
using Akka.Actor;
using Murmur.Agents;
using Murmur.Runtime;
using Proto;

namespace Murmur.Benchmarks.Runtime;

/// <summary>
/// Request/reply latency at a fixed offered rate (open loop): a dedicated thread issues ask number i at
/// start + i/rate whether or not earlier asks completed, and each latency runs from the scheduled time
/// to the moment the awaiting code sees the reply, so a stall delays every ask scheduled during it
/// (no coordinated omission). The driver thread spins with Thread.Yield between asks (the same cost in
/// every system). A warm-up phase at the same rate precedes the recorded one.
/// </summary>
internal sealed class AskBench : IBench
{
    private const int Rate = 5_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public string Name => "ask";

    public async Task RunAsync(BenchContext context)
    {
        var seconds = context.Quick ? 3 : 10;
        var warmUp = context.Quick ? 1 : 2;
        foreach (var system in Measure.Systems)
        {
            Measure.FullCollect();
            var (ask, dispose) = Create(system);
            await RunScheduleAsync(ask, warmUp * Rate).ConfigureAwait(false);
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var recorder = await RunScheduleAsync(ask, seconds * Rate).ConfigureAwait(false);
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            Measure.Note($"ask {system}: {(double)allocated / (seconds * Rate):0} B allocated per ask (including the driver's own task and closure)");
            await dispose().ConfigureAwait(false);
            var keys = new (string, object)[] { ("rate", Rate), ("asks", seconds * Rate), ("failures", recorder.Failures) };
            Measure.Note($"ask {system}: p50 {recorder.PercentileMicroseconds(50):0.0} us, p90 {recorder.PercentileMicroseconds(90):0.0} us, "
                + $"p99 {recorder.PercentileMicroseconds(99):0.0} us, p99.9 {recorder.PercentileMicroseconds(99.9):0.0} us, max {recorder.PercentileMicroseconds(100):0.0} us");
            context.Report("ask", system, "p50_us", recorder.PercentileMicroseconds(50), "us", keys);
            context.Report("ask", system, "p99_us", recorder.PercentileMicroseconds(99), "us", keys);
        }
    }

    private static (Func<Task<string>> Ask, Func<Task> Dispose) Create(string system)
    {
        switch (system)
        {
            case Measure.Murmur:
            {
                var runtime = AgentRuntime.Create();
                var echo = runtime.Spawn(Agent.FromHandler(static (context, message) =>
                {
                    context.Reply("pong");
                    return ValueTask.CompletedTask;
                }));
                return (() => runtime.AskAsync<string>(echo, "ping", Timeout), async () => await runtime.DisposeAsync().ConfigureAwait(false));
            }
            case Measure.Proto:
            {
                var actors = ProtoPeer.Create();
                var echo = actors.Root.Spawn(Proto.Props.FromFunc(static context =>
                {
                    if (context.Message is string)
                    {
                        context.Respond("pong");
                    }
                    return Task.CompletedTask;
                }));
                return (() => actors.Root.RequestAsync<string>(echo, "ping", Timeout), () => ProtoPeer.ShutdownAsync(actors));
            }
            default:
            {
                var actors = AkkaPeer.Create("ask");
                var echo = actors.ActorOf(AkkaPeer.PropsOf(static () => new AkkaEcho()));
                return (() => echo.Ask<string>("ping", Timeout), () => AkkaPeer.ShutdownAsync(actors));
            }
        }
    }

    private static async Task<LatencyRecorder> RunScheduleAsync(Func<Task<string>> ask, int count)
    {
        var recorder = new LatencyRecorder(count);
        var pending = new Task[count];
        var interval = (double)Stopwatch.Frequency / Rate;
        var driver = new Thread(() =>
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < count; i++)
            {
                var scheduled = start + (long)(i * interval);
                while (Stopwatch.GetTimestamp() < scheduled)
                {
                    Thread.Yield();
                }
                pending[i] = AskOneAsync(ask, recorder, i, scheduled);
            }
        })
        { IsBackground = true, Name = "ask-driver" };
        driver.Start();
        await Task.Run(driver.Join).ConfigureAwait(false);
        await Task.WhenAll(pending).ConfigureAwait(false);
        return recorder;
    }

    private static async Task AskOneAsync(Func<Task<string>> ask, LatencyRecorder recorder, int index, long scheduled)
    {
        try
        {
            await ask().ConfigureAwait(false);
            recorder.Record(index, Stopwatch.GetTimestamp() - scheduled);
        }
        catch (TimeoutException)
        {
            recorder.Fail(index);
        }
        catch (AskTimeoutException)
        {
            recorder.Fail(index);
        }
    }

    private sealed class AkkaEcho : UntypedActor
    {
        protected override void OnReceive(object message) => Sender.Tell("pong", Self);
    }
}
