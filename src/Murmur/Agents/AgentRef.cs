using Murmur.Runtime;

namespace Murmur.Agents;

/// <summary>
/// A handle to an agent process: send to it, ask it, monitor it. It stays valid across restarts of the
/// agent (a restart replaces the instance, not the process); after the process terminates, messages
/// sent to it become dead letters.
/// </summary>
/// <remarks>Thread-safe: any thread may send through the same handle.</remarks>
public abstract class AgentRef
{
    private protected AgentRef()
    {
    }

    /// <summary>The agent's identity.</summary>
    public abstract AgentId Id { get; }

    /// <summary>True until the process has terminated for good.</summary>
    public abstract bool IsAlive { get; }

    /// <summary>Sends a message with no sender. Never blocks.</summary>
    /// <exception cref="MailboxFullException">A bounded mailbox is full and its mode is <see cref="MailboxFullMode.FailSender"/> or <see cref="MailboxFullMode.Wait"/> (use <see cref="SendAsync"/> to wait).</exception>
    public void Send(object message) => Post(message, null);

    /// <summary>Sends a message; on a bounded mailbox in <see cref="MailboxFullMode.Wait"/> mode, waits for space.</summary>
    public abstract ValueTask SendAsync(object message, CancellationToken cancellationToken = default);

    /// <summary>Enqueues a message; returns false when it became a dead letter or was dropped.</summary>
    internal abstract bool Post(object message, AgentRef? sender);

    /// <summary>Queues work to run in the agent's turn (see <see cref="AgentWork"/>); false when the process has terminated.</summary>
    internal abstract bool PostWork(AgentWork work);

    /// <inheritdoc/>
    public override string ToString() => Id.ToString();
}
