using Murmur.Agents;

namespace Murmur.Runtime;

/// <summary>A control message; queued ahead of user messages and never counted against a turn's budget.</summary>
internal abstract class SystemMessage
{
    /// <summary>Intrusive link of the mailbox's system queue (single consumer, guarded by the mailbox lock).</summary>
    public SystemMessage? Next;
}

/// <summary>Creates a fresh agent instance and runs <see cref="Agent.OnStartedAsync"/>.</summary>
internal sealed class StartSignal(TaskCompletionSource? done, bool initial) : SystemMessage
{
    public TaskCompletionSource? Done { get; } = done;
    public bool Initial { get; } = initial;
}

/// <summary>Ends the current instance (children first) and waits in the Halted state for a start or a terminate.</summary>
internal sealed class HaltSignal(ExitReason reason, TaskCompletionSource done) : SystemMessage
{
    public ExitReason Reason { get; } = reason;
    public TaskCompletionSource Done { get; } = done;
}

/// <summary>Halts if needed, then ends the process for good: dead letters, monitors and links are told.</summary>
internal sealed class TerminateSignal(ExitReason reason, TaskCompletionSource? done) : SystemMessage
{
    public ExitReason Reason { get; } = reason;
    public TaskCompletionSource? Done { get; } = done;
}

/// <summary>Continues a crashed instance (the Resume directive).</summary>
internal sealed class ResumeSignal : SystemMessage;

/// <summary>To a supervisor: a child crashed and waits, suspended, for a decision.</summary>
internal sealed class ChildFailed(AgentProcess child, Exception exception) : SystemMessage
{
    public AgentProcess Child { get; } = child;
    public Exception Exception { get; } = exception;
}

/// <summary>To a supervisor: a child stopped itself and waits, halted, for a decision.</summary>
internal sealed class ChildExited(AgentProcess child, ExitReason reason) : SystemMessage
{
    public AgentProcess Child { get; } = child;
    public ExitReason Reason { get; } = reason;
}

/// <summary>To a supervisor: a backoff delay ended; restart the child now.</summary>
internal sealed class RestartChildSignal(AgentProcess child, ExitReason reason) : SystemMessage
{
    public AgentProcess Child { get; } = child;
    public ExitReason Reason { get; } = reason;
}

/// <summary>Adds or removes a monitor.</summary>
internal sealed class WatchSignal(AgentRef watcher, bool add) : SystemMessage
{
    public AgentRef Watcher { get; } = watcher;
    public bool Add { get; } = add;
}

/// <summary>Adds or removes the other side of a link.</summary>
internal sealed class LinkSignal(AgentRef other, bool add) : SystemMessage
{
    public AgentRef Other { get; } = other;
    public bool Add { get; } = add;
}

/// <summary>A linked agent exited.</summary>
internal sealed class ExitSignal(AgentRef from, ExitReason reason) : SystemMessage
{
    public AgentRef From { get; } = from;
    public ExitReason Reason { get; } = reason;
}

/// <summary>A monitored agent terminated: becomes a priority <see cref="Down"/> user message.</summary>
internal sealed class DownSignal(Down down) : SystemMessage
{
    public Down Down { get; } = down;
}
