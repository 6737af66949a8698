using System.Diagnostics;
using Akka.Actor;
using Murmur.Agents;
using Murmur.Runtime;
using Proto;

namespace Murmur.Benchmarks.Runtime;

/// <summary>
/// Skynet: the root agent spawns 10 children, each of them 10 more, down to N leaves (N a power of 10);
/// a leaf replies its number, a parent sums its 10 replies and replies the sum. Agents are not stopped
/// (the tree is torn down by disposing the system, outside the timed part). Wall time from the request
/// to the root until its reply. A 10,000-leaf warm-up runs first on its own system.
/// </summary>
internal sealed class SkynetBench : IBench
{
    private const int WarmUp = 10_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public string Name => "skynet";

    public async Task RunAsync(BenchContext context)
    {
        var leaves = context.Quick ? 100_000 : 1_000_000;
        foreach (var system in Measure.Systems)
        {
            await RunOnceAsync(system, WarmUp).ConfigureAwait(false);
            Measure.FullCollect();
            var seconds = await RunOnceAsync(system, leaves).ConfigureAwait(false);
            context.Report("skynet", system, "wall_seconds", seconds, "s", ("leaves", leaves));
            Measure.FullCollect();
        }
    }

    private static async Task<double> RunOnceAsync(string system, int leaves)
    {
        var expected = (long)leaves * (leaves - 1) / 2;
        var start = new Start(0, leaves);
        long sum;
        double seconds;
        long stop;
        switch (system)
        {
            case Measure.Murmur:
            {
                var runtime = AgentRuntime.Create();
                var root = runtime.Spawn(SkynetAgent.Factory);
                var t0 = Stopwatch.GetTimestamp();
                sum = await runtime.AskAsync<long>(root, start, Timeout).ConfigureAwait(false);
                seconds = Measure.Seconds(t0);
                stop = Stopwatch.GetTimestamp();
                await runtime.DisposeAsync().ConfigureAwait(false);
                break;
            }
            case Measure.Proto:
            {
                var actors = ProtoPeer.Create();
                var root = actors.Root.Spawn(ProtoSkynet.Props);
                var t0 = Stopwatch.GetTimestamp();
                sum = await actors.Root.RequestAsync<long>(root, start, Timeout).ConfigureAwait(false);
                seconds = Measure.Seconds(t0);
                stop = Stopwatch.GetTimestamp();
                await ProtoPeer.ShutdownAsync(actors).ConfigureAwait(false);
                break;
            }
            default:
            {
                var actors = AkkaPeer.Create("skynet");
                var root = actors.ActorOf(AkkaSkynet.Props);
                var t0 = Stopwatch.GetTimestamp();
                sum = await root.Ask<long>(start, Timeout).ConfigureAwait(false);
                seconds = Measure.Seconds(t0);
                stop = Stopwatch.GetTimestamp();
                await AkkaPeer.ShutdownAsync(actors).ConfigureAwait(false);
                break;
            }
        }
        if (sum != expected)
        {
            throw new InvalidOperationException($"{system} skynet({leaves}) summed {sum}, expected {expected}.");
        }
        Measure.Note($"skynet {system} leaves={leaves}: {seconds:0.000} s, teardown {Measure.Seconds(stop):0.000} s");
        return seconds;
    }

    private sealed record Start(long Num, long Size);

    private sealed class SkynetAgent : Agent
    {
        public static readonly Func<Agent> Factory = static () => new SkynetAgent();
        private AgentRef? _replyTo;
        private long _sum;
        private int _pending;

        protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        {
            if (message is Start start)
            {
                if (start.Size == 1)
                {
                    Context.Reply(start.Num);
                    return ValueTask.CompletedTask;
                }
                _replyTo = Context.Sender;
                _pending = 10;
                var size = start.Size / 10;
                for (var i = 0; i < 10; i++)
                {
                    Context.Send(Context.Spawn(Factory), new Start(start.Num + (i * size), size));
                }
            }
            else if (message is long value)
            {
                _sum += value;
                if (--_pending == 0)
                {
                    Context.Send(_replyTo!, _sum);
                }
            }
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ProtoSkynet : IActor
    {
        public static readonly Proto.Props Props = Proto.Props.FromProducer(static () => new ProtoSkynet());
        private PID? _replyTo;
        private long _sum;
        private int _pending;

        public Task ReceiveAsync(IContext context)
        {
            if (context.Message is Start start)
            {
                if (start.Size == 1)
                {
                    context.Respond(start.Num);
                    return Task.CompletedTask;
                }
                _replyTo = context.Sender;
                _pending = 10;
                var size = start.Size / 10;
                for (var i = 0; i < 10; i++)
                {
                    context.Request(context.Spawn(Props), new Start(start.Num + (i * size), size));
                }
            }
            else if (context.Message is long value)
            {
                _sum += value;
                if (--_pending == 0)
                {
                    context.Send(_replyTo!, _sum);
                }
            }
            return Task.CompletedTask;
        }
    }

    private sealed class AkkaSkynet : UntypedActor
    {
        public static readonly Akka.Actor.Props Props = AkkaPeer.PropsOf(static () => new AkkaSkynet());
        private IActorRef? _replyTo;
        private long _sum;
        private int _pending;

        protected override void OnReceive(object message)
        {
            if (message is Start start)
            {
                if (start.Size == 1)
                {
                    Sender.Tell(start.Num, Self);
                    return;
                }
                _replyTo = Sender;
                _pending = 10;
                var size = start.Size / 10;
                for (var i = 0; i < 10; i++)
                {
                    Context.ActorOf(Props).Tell(new Start(start.Num + (i * size), size), Self);
                }
            }
            else if (message is long value)
            {
                _sum += value;
                if (--_pending == 0)
                {
                    _replyTo!.Tell(_sum, Self);
                }
            }
        }
    }
}
