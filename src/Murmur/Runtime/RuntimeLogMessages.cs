using Microsoft.Extensions.Logging;
using Murmur.Agents;
using Murmur.Supervision;

namespace Murmur.Runtime;

/// <summary>Source-generated log messages of the runtime.</summary>
internal static partial class RuntimeLogMessages
{
    [LoggerMessage(1, LogLevel.Error, "Agent {Agent} crashed")]
    public static partial void AgentCrashed(ILogger logger, AgentId agent, Exception exception);

    [LoggerMessage(2, LogLevel.Warning, "Agent {Agent} failed in OnStoppedAsync; it stops anyway")]
    public static partial void StopHandlerFailed(ILogger logger, AgentId agent, Exception exception);

    [LoggerMessage(3, LogLevel.Information, "Supervisor {Supervisor} restarts {Child} ({Strategy}) after: {Reason}")]
    public static partial void Restarting(ILogger logger, AgentId supervisor, AgentId child, SupervisionKind strategy, ExitReason reason);

    [LoggerMessage(4, LogLevel.Error, "Supervisor {Supervisor} gives up: restart intensity exceeded ({MaxRestarts} in {Period})")]
    public static partial void IntensityExceeded(ILogger logger, AgentId supervisor, int maxRestarts, TimeSpan period);

    [LoggerMessage(5, LogLevel.Warning, "Agent {Agent} did not stop within {Timeout}; abandoned (killed)")]
    public static partial void Killed(ILogger logger, AgentId agent, TimeSpan timeout);

    [LoggerMessage(6, LogLevel.Debug, "Dead letter to {Agent}: {MessageType} ({Why})")]
    public static partial void DeadLetter(ILogger logger, AgentId agent, string messageType, string why);

    [LoggerMessage(7, LogLevel.Warning, "Mailbox of {Agent} is full ({Capacity}); dropped a message ({Mode})")]
    public static partial void Dropped(ILogger logger, AgentId agent, int capacity, MailboxFullMode mode);

    [LoggerMessage(8, LogLevel.Critical, "The runtime stops: a failure escalated out of the root supervisor")]
    public static partial void RootFailed(ILogger logger, Exception exception);

    [LoggerMessage(9, LogLevel.Critical, "Internal error in agent {Agent}")]
    public static partial void InternalError(ILogger logger, AgentId agent, Exception exception);
}
