using Microsoft.Extensions.Logging;

namespace Murmur.AI.Agents;

internal static partial class AgentLogMessages
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Debug, Message = "Agent {Agent} starts a task in topic {Topic}")]
    public static partial void TaskStarted(ILogger logger, string agent, string topic);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Trace, Message = "Agent {Agent} model answer: {Text}")]
    public static partial void ModelAnswer(ILogger logger, string agent, string text);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Debug, Message = "Agent {Agent} called tool {Tool}: ok={Ok} in {ElapsedUs} µs")]
    public static partial void ToolCalled(ILogger logger, string agent, string tool, bool ok, long elapsedUs);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "Agent {Agent} task ended: {Status} ({Reason})")]
    public static partial void TaskEnded(ILogger logger, string agent, string status, string reason);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Warning, Message = "Agent {Agent}: the model asked for tool {Tool}, which is not in its allow-list; refused")]
    public static partial void ToolRefused(ILogger logger, string agent, string tool);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Warning, Message = "Placement of {Agent}: {Report}")]
    public static partial void PlacementIncomplete(ILogger logger, string agent, string report);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Information, Message = "Agent {Agent} resumes its unfinished task in topic {Topic} from the log ({Pending} tool calls left unanswered)")]
    public static partial void TaskResumed(ILogger logger, string agent, string topic, int pending);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Information, Message = "Agent {Agent} journaled side-effecting tool {Tool} until findings [{Provisional}] are confirmed")]
    public static partial void ToolJournaled(ILogger logger, string agent, string tool, string provisional);

    [LoggerMessage(EventId = 6009, Level = LogLevel.Information, Message = "Speculation {Speculation} aborted: {Reason}; its journaled tool calls were discarded")]
    public static partial void JournalDiscarded(ILogger logger, string speculation, string reason);

    [LoggerMessage(EventId = 6010, Level = LogLevel.Information, Message = "Agent {Agent} waits for approval of tool {Tool} (call {CallId})")]
    public static partial void ApprovalRequested(ILogger logger, string agent, string tool, string callId);

    [LoggerMessage(EventId = 6011, Level = LogLevel.Information, Message = "Agent {Agent}: tool {Tool} (call {CallId}) {Outcome} by {Principal}")]
    public static partial void ApprovalDecided(ILogger logger, string agent, string tool, string callId, string outcome, string principal);
}
