using BenchmarkDotNet.Attributes;
using Murmur.Agents;
using Murmur.Runtime;
using Proto;

namespace Murmur.Benchmarks.Runtime;

/// <summary>
/// One message sent to an idle agent and handled: the send, the scheduling of the agent's turn on the
/// thread pool and the handler. The benchmark thread spins until the handler has counted the message.
/// Proto.Actor is the baseline, so the Ratio column reads murmur/proto.actor.
/// Run: <c>dotnet run -c Release --project bench/Murmur.Benchmarks -- micro --filter *MailboxMicro* --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class MailboxMicro
{
    private static readonly object Message = new();
    private AgentRuntime? _runtime;
    private AgentRef? _agent;
    private Proto.ActorSystem? _proto;
    private PID? _actor;
    private long _handled;
    private long _sent;

    [GlobalSetup]
    public void Setup()
    {
        _runtime = AgentRuntime.Create();
        _agent = _runtime.Spawn(Agent.FromHandler((_, _) =>
        {
            Interlocked.Increment(ref _handled);
            return ValueTask.CompletedTask;
        }));
        _proto = ProtoPeer.Create();
        _actor = _proto.Root.Spawn(Proto.Props.FromFunc(context =>
        {
            if (ReferenceEquals(context.Message, Message))
            {
                Interlocked.Increment(ref _handled);
            }
            return Task.CompletedTask;
        }));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _runtime!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        ProtoPeer.ShutdownAsync(_proto!).GetAwaiter().GetResult();
    }

    [Benchmark]
    public void Murmur()
    {
        _agent!.Send(Message);
        WaitHandled();
    }

    [Benchmark(Baseline = true)]
    public void ProtoActor()
    {
        _proto!.Root.Send(_actor!, Message);
        WaitHandled();
    }

    private void WaitHandled()
    {
        var expected = ++_sent;
        var spin = default(SpinWait);
        while (Volatile.Read(ref _handled) < expected)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }
}
