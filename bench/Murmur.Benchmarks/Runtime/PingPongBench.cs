using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Murmur.Agents;
using Murmur.Runtime;
using Proto;

namespace Murmur.Benchmarks.Runtime;

/// <summary>
/// Pairs of agents bounce preallocated Ping/Pong objects; each side knows the other's handle and sends
/// directly (no ask, no per-message sender envelope). "messages" counts both directions. With in_flight 1
/// it is strict ping-pong (one message in the pair at a time); with in_flight 100 the pinger keeps 100
/// pings outstanding, which exercises the mailboxes' batching. A warm-up round on the same agents
/// precedes the measured ones (the median of 5 runs, 3 in quick mode, is reported); bytes_per_msg is the GC.GetTotalAllocatedBytes(true) delta of the
/// measured round divided by its messages.
/// </summary>
internal sealed class PingPongBench : IBench
{
    public string Name => "pingpong";

    public async Task RunAsync(BenchContext context)
    {
        var messages = context.Quick ? 200_000 : 1_000_000;
        var runs = context.Quick ? 3 : 5;
        foreach (var window in new[] { 1, 100 })
        {
            foreach (var pairs in new[] { 1, 2 })
            {
                foreach (var system in Measure.Systems)
                {
                    Measure.FullCollect();
                    await using var bench = Create(system, pairs);
                    await bench.RoundAsync(messages / 4, window).ConfigureAwait(false); // warm-up
                    var rates = new double[runs];
                    var bytes = new double[runs];
                    var total = (double)messages * pairs;
                    var contention = Monitor.LockContentionCount;
                    var workItems = ThreadPool.CompletedWorkItemCount;
                    var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                    for (var run = 0; run < runs; run++)
                    {
                        var allocated = GC.GetTotalAllocatedBytes(precise: true);
                        var start = Stopwatch.GetTimestamp();
                        await bench.RoundAsync(messages / 2, window).ConfigureAwait(false);
                        var seconds = Measure.Seconds(start);
                        bytes[run] = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / total;
                        rates[run] = total / seconds;
                    }
                    var cpuNsPerMessage = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalNanoseconds / (total * runs);
                    var perMessage = 1.0 / (total * runs);
                    Measure.Note($"pingpong {system} pairs={pairs} in_flight={window}: msg/s runs [{string.Join(", ", rates.Select(r => r.ToString("0", CultureInfo.InvariantCulture)))}]"
                        + $" lock_contentions/msg={(Monitor.LockContentionCount - contention) * perMessage:0.0000}"
                        + $" threadpool_items/msg={(ThreadPool.CompletedWorkItemCount - workItems) * perMessage:0.0000}"
                        + $" cpu_ns/msg={cpuNsPerMessage:0} (process CPU time, all threads, incl. idle workers' spinning)");
                    context.Report("pingpong", system, "msgs_per_second", Median(rates), "msg/s",
                        ("pairs", pairs), ("in_flight", window), ("messages", (long)total), ("runs", runs));
                    context.Report("pingpong", system, "bytes_per_msg", Median(bytes), "B",
                        ("pairs", pairs), ("in_flight", window), ("messages", (long)total), ("runs", runs));
                }
            }
        }
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static IPairs Create(string system, int pairs) => system switch
    {
        Measure.Murmur => new MurmurPairs(pairs),
        Measure.Proto => new ProtoPairs(pairs),
        _ => new AkkaPairs(pairs),
    };

    private interface IPairs : IAsyncDisposable
    {
        /// <summary>Every pair does <paramref name="roundTrips"/> ping/pong round trips; completes when all are done.</summary>
        Task RoundAsync(int roundTrips, int window);
    }

    private sealed class Ping
    {
        public static readonly Ping Instance = new();
    }

    private sealed class Pong
    {
        public static readonly Pong Instance = new();
    }

    private sealed record Partner<TRef>(TRef Other);

    private sealed record Kick<TRef>(TRef Echo, int RoundTrips, int Window, TaskCompletionSource Done);

    /// <summary>The pinger's bookkeeping, the same in every system.</summary>
    private struct PingerState
    {
        private int _toSend;
        private int _remaining;
        private TaskCompletionSource? _done;

        /// <summary>Starts a round; returns how many pings to send now.</summary>
        public int Begin(int roundTrips, int window, TaskCompletionSource done)
        {
            _remaining = roundTrips;
            _done = done;
            var burst = Math.Min(window, roundTrips);
            _toSend = roundTrips - burst;
            return burst;
        }

        /// <summary>A pong arrived; returns true when another ping is due.</summary>
        public bool OnPong()
        {
            if (--_remaining == 0)
            {
                _done!.TrySetResult();
            }
            if (_toSend > 0)
            {
                _toSend--;
                return true;
            }
            return false;
        }
    }

    private static Task[] KickAll<TRef>(IReadOnlyList<(TRef Pinger, TRef Echo)> pairs, int roundTrips, int window, Action<TRef, object> send)
    {
        var done = new Task[pairs.Count];
        for (var i = 0; i < pairs.Count; i++)
        {
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            done[i] = tcs.Task;
            send(pairs[i].Pinger, new Kick<TRef>(pairs[i].Echo, roundTrips, window, tcs));
        }
        return done;
    }

    private sealed class MurmurPairs : IPairs
    {
        private readonly AgentRuntime _runtime = AgentRuntime.Create();
        private readonly List<(AgentRef, AgentRef)> _pairs = [];

        public MurmurPairs(int pairs)
        {
            for (var i = 0; i < pairs; i++)
            {
                var pinger = _runtime.Spawn(static () => new Pinger());
                var echo = _runtime.Spawn(static () => new Echo());
                echo.Send(new Partner<AgentRef>(pinger));
                _pairs.Add((pinger, echo));
            }
        }

        public Task RoundAsync(int roundTrips, int window)
            => Task.WhenAll(KickAll(_pairs, roundTrips, window, static (target, message) => target.Send(message)));

        public ValueTask DisposeAsync() => _runtime.DisposeAsync();

        private sealed class Pinger : Agent
        {
            private AgentRef? _echo;
            private PingerState _state;

            protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
            {
                if (ReferenceEquals(message, Pong.Instance))
                {
                    if (_state.OnPong())
                    {
                        Context.Send(_echo!, Ping.Instance);
                    }
                }
                else if (message is Kick<AgentRef> kick)
                {
                    _echo = kick.Echo;
                    for (var burst = _state.Begin(kick.RoundTrips, kick.Window, kick.Done); burst > 0; burst--)
                    {
                        Context.Send(_echo, Ping.Instance);
                    }
                }
                return ValueTask.CompletedTask;
            }
        }

        private sealed class Echo : Agent
        {
            private AgentRef? _pinger;

            protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
            {
                if (ReferenceEquals(message, Ping.Instance))
                {
                    Context.Send(_pinger!, Pong.Instance);
                }
                else if (message is Partner<AgentRef> partner)
                {
                    _pinger = partner.Other;
                }
                return ValueTask.CompletedTask;
            }
        }
    }

    private sealed class ProtoPairs : IPairs
    {
        private readonly Proto.ActorSystem _system = ProtoPeer.Create();
        private readonly List<(PID, PID)> _pairs = [];

        public ProtoPairs(int pairs)
        {
            var pingerProps = Proto.Props.FromProducer(static () => new Pinger());
            var echoProps = Proto.Props.FromProducer(static () => new Echo());
            for (var i = 0; i < pairs; i++)
            {
                var pinger = _system.Root.Spawn(pingerProps);
                var echo = _system.Root.Spawn(echoProps);
                _system.Root.Send(echo, new Partner<PID>(pinger));
                _pairs.Add((pinger, echo));
            }
        }

        public Task RoundAsync(int roundTrips, int window)
            => Task.WhenAll(KickAll(_pairs, roundTrips, window, (target, message) => _system.Root.Send(target, message)));

        public async ValueTask DisposeAsync() => await ProtoPeer.ShutdownAsync(_system).ConfigureAwait(false);

        private sealed class Pinger : IActor
        {
            private PID? _echo;
            private PingerState _state;

            public Task ReceiveAsync(IContext context)
            {
                var message = context.Message;
                if (ReferenceEquals(message, Pong.Instance))
                {
                    if (_state.OnPong())
                    {
                        context.Send(_echo!, Ping.Instance);
                    }
                }
                else if (message is Kick<PID> kick)
                {
                    _echo = kick.Echo;
                    for (var burst = _state.Begin(kick.RoundTrips, kick.Window, kick.Done); burst > 0; burst--)
                    {
                        context.Send(_echo, Ping.Instance);
                    }
                }
                return Task.CompletedTask;
            }
        }

        private sealed class Echo : IActor
        {
            private PID? _pinger;

            public Task ReceiveAsync(IContext context)
            {
                var message = context.Message;
                if (ReferenceEquals(message, Ping.Instance))
                {
                    context.Send(_pinger!, Pong.Instance);
                }
                else if (message is Partner<PID> partner)
                {
                    _pinger = partner.Other;
                }
                return Task.CompletedTask;
            }
        }
    }

    private sealed class AkkaPairs : IPairs
    {
        private readonly Akka.Actor.ActorSystem _system = AkkaPeer.Create("pingpong");
        private readonly List<(IActorRef, IActorRef)> _pairs = [];

        public AkkaPairs(int pairs)
        {
            var pingerProps = AkkaPeer.PropsOf(static () => new Pinger());
            var echoProps = AkkaPeer.PropsOf(static () => new Echo());
            for (var i = 0; i < pairs; i++)
            {
                var pinger = _system.ActorOf(pingerProps);
                var echo = _system.ActorOf(echoProps);
                echo.Tell(new Partner<IActorRef>(pinger), ActorRefs.NoSender);
                _pairs.Add((pinger, echo));
            }
        }

        public Task RoundAsync(int roundTrips, int window)
            => Task.WhenAll(KickAll(_pairs, roundTrips, window, static (target, message) => target.Tell(message, ActorRefs.NoSender)));

        public async ValueTask DisposeAsync() => await AkkaPeer.ShutdownAsync(_system).ConfigureAwait(false);

        private sealed class Pinger : UntypedActor
        {
            private IActorRef? _echo;
            private PingerState _state;

            protected override void OnReceive(object message)
            {
                if (ReferenceEquals(message, Pong.Instance))
                {
                    if (_state.OnPong())
                    {
                        _echo!.Tell(Ping.Instance, Self);
                    }
                }
                else if (message is Kick<IActorRef> kick)
                {
                    _echo = kick.Echo;
                    for (var burst = _state.Begin(kick.RoundTrips, kick.Window, kick.Done); burst > 0; burst--)
                    {
                        _echo.Tell(Ping.Instance, Self);
                    }
                }
            }
        }

        private sealed class Echo : UntypedActor
        {
            private IActorRef? _pinger;

            protected override void OnReceive(object message)
            {
                if (ReferenceEquals(message, Ping.Instance))
                {
                    _pinger!.Tell(Pong.Instance, Self);
                }
                else if (message is Partner<IActorRef> partner)
                {
                    _pinger = partner.Other;
                }
            }
        }
    }
}
