using Microsoft.Extensions.Logging;

namespace Murmur.Hosting;

/// <summary>Source-generated log messages of the hosted node.</summary>
internal static partial class HostingLogMessages
{
    [LoggerMessage(7001, LogLevel.Information, "Murmur node {NodeId} started: {Topics} topics, {Agents} agents")]
    public static partial void Started(ILogger logger, string nodeId, int topics, int agents);

    [LoggerMessage(7002, LogLevel.Information, "Murmur node {NodeId} stopping")]
    public static partial void Stopping(ILogger logger, string nodeId);

    [LoggerMessage(7003, LogLevel.Information, "Murmur node {NodeId} stopped")]
    public static partial void Stopped(ILogger logger, string nodeId);

    [LoggerMessage(7005, LogLevel.Information, "Murmur node {NodeId}: {Setup}")]
    public static partial void Configured(ILogger logger, string nodeId, string setup);

    [LoggerMessage(7006, LogLevel.Warning, "Murmur node {NodeId}: {Problem}; {Fix}")]
    public static partial void Open(ILogger logger, string nodeId, string problem, string fix);

    [LoggerMessage(7004, LogLevel.Warning, "Murmur node {NodeId} did not stop within the host's shutdown timeout; its agents are abandoned")]
    public static partial void StopTimedOut(ILogger logger, string nodeId);
}
