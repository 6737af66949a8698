using Murmur.Agents;
using Murmur.Supervision;

namespace Murmur.Tests.Support;

/// <summary>Records its life cycle in a probe; crashes on "crash", stops itself on "stop", echoes "ping".</summary>
public sealed class RecordingAgent(string name, Probe probe) : Agent
{
    protected override ValueTask OnStartedAsync(CancellationToken cancellationToken)
    {
        probe.Add($"start:{name}");
        return ValueTask.CompletedTask;
    }

    protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case "crash":
                throw new InvalidOperationException($"{name} crashed on purpose");
            case "stop":
                Context.Stop();
                break;
            case "ping":
                Context.Reply("pong");
                break;
            case Down down:
                probe.Add($"down:{name}:{down.Agent.Id}:{down.Reason.Kind}");
                break;
            case Exit exit:
                probe.Add($"exit:{name}:{exit.Agent.Id}:{exit.Reason.Kind}");
                break;
            default:
                probe.Add($"msg:{name}:{message}");
                break;
        }
        return ValueTask.CompletedTask;
    }

    protected override ValueTask OnStoppedAsync(ExitReason reason, CancellationToken cancellationToken)
    {
        probe.Add($"stop:{name}");
        return ValueTask.CompletedTask;
    }
}

/// <summary>A supervisor whose children are spawned from a list of (name, restart) specs in start order.</summary>
public sealed class SupervisorAgent(Probe probe, SupervisorStrategy strategy, params (string Name, Restart Restart)[] children) : Agent
{
    protected override SupervisorStrategy? SupervisorStrategy => strategy;

    protected override async ValueTask OnStartedAsync(CancellationToken cancellationToken)
    {
        probe.Add("start:sup");
        foreach (var (name, restart) in children)
        {
            await Context.SpawnAsync(name, () => new RecordingAgent(name, probe), new SpawnOptions { Restart = restart }, cancellationToken);
        }
    }

    protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
    {
        if (message is "children")
        {
            Context.Reply(Context.Children.Select(c => c.Id.ToString()).ToArray());
        }
        return ValueTask.CompletedTask;
    }

    protected override ValueTask OnStoppedAsync(ExitReason reason, CancellationToken cancellationToken)
    {
        probe.Add($"stop:sup:{reason.Kind}");
        return ValueTask.CompletedTask;
    }
}
